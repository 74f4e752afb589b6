import { NO_KEY_MATERIAL_CONTROLS } from '../controls';
import { finding, KmsRule, looksLikeKeyMaterial } from '../rule';

/**
 * The value with every Ref and Fn::GetAtt blanked: they name logical ids (often 43 letters or more, e.g. a gated
 * replica's expected policy naming the gate's executor role), never a secret.
 */
function withoutReferences(value: unknown): string {
  return JSON.stringify(value ?? '').replace(/\{"(?:Ref|Fn::GetAtt)":(?:"[^"]*"|\[[^\]]*\])\}/g, '""');
}

/** No output or parameter default carries key material or a credential. */
export const NoKeyMaterialInOutputs: KmsRule = {
  id: 'CloudKms-AwsNoKeyMaterialInOutputs',
  cloud: 'aws',
  description: 'no output or parameter default of the template holds key material or a credential',
  controls: NO_KEY_MATERIAL_CONTROLS,
  evaluate(template) {
    const places: Array<[string, unknown]> = [
      ...Object.entries(template?.Outputs ?? {}).map(([k, v]: [string, any]) => [`Outputs.${k}`, withoutReferences(v?.Value)] as [string, unknown]),
      ...Object.entries(template?.Parameters ?? {}).map(([k, v]: [string, any]) => [`Parameters.${k}`, v?.Default] as [string, unknown]),
    ];
    if (places.length === 0) return [finding(this.id, 'template', undefined, 'no outputs or parameter defaults')];
    return places.map(([where, value]) => finding(this.id, where, !looksLikeKeyMaterial(value),
      looksLikeKeyMaterial(value) ? 'holds what looks like key material or a credential' : 'no key material'));
  },
};

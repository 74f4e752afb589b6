import { NO_KEY_MATERIAL_CONTROLS } from './controls';
import { finding, KmsRule, looksLikeKeyMaterial, RuleCloud } from './rule';

/** No Terraform output or variable default carries key material or a credential. */
export function noKeyMaterialInTerraform(cloud: RuleCloud, id: string): KmsRule {
  return {
    id,
    cloud,
    description: 'no Terraform output or variable default holds key material or a credential',
    controls: NO_KEY_MATERIAL_CONTROLS,
    evaluate(json) {
      const places: Array<[string, unknown]> = [
        ...Object.entries(json?.output ?? {}).map(([k, v]: [string, any]) => [`output.${k}`, v?.value] as [string, unknown]),
        ...Object.entries(json?.variable ?? {}).map(([k, v]: [string, any]) => [`variable.${k}`, v?.default] as [string, unknown]),
      ];
      if (places.length === 0) return [finding(id, 'configuration', undefined, 'no outputs or variable defaults')];
      return places.map(([where, value]) => finding(id, where, !looksLikeKeyMaterial(value),
        looksLikeKeyMaterial(value) ? 'holds what looks like key material or a credential' : 'no key material'));
    },
  };
}

import { noKeyMaterialInTerraform } from '../outputs';

/** No Terraform output or variable default carries key material or a credential. */
export const NoKeyMaterialInOutputs = noKeyMaterialInTerraform('gcp', 'CloudKms-GcpNoKeyMaterialInOutputs');

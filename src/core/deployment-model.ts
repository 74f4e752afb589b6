/**
 * Who holds the key material.
 */
export enum KeyCustody {
  /** The cloud provider generates and holds the key material; the customer sets policy only. */
  PROVIDER = 'PROVIDER',
  /** The provider's HSMs hold the key material; the customer controls policy, rotation and deletion. */
  SHARED = 'SHARED',
  /** The customer generates the key material and imports it into the provider's HSMs. */
  CUSTOMER_IMPORT = 'CUSTOMER_IMPORT',
  /** The key material stays in a key manager the customer operates outside the provider. */
  CUSTOMER_EXTERNAL = 'CUSTOMER_EXTERNAL',
}

/**
 * How much operational work a deployment model puts on the customer.
 */
export enum OperationalBurden {
  LOWEST = 'LOWEST',
  MODERATE = 'MODERATE',
  HIGH = 'HIGH',
  HIGHEST = 'HIGHEST',
}

/**
 * One of the four cloud key-management deployment models, with the custody,
 * burden and regulatory fit from the decision table in the README.
 *
 * A closed set: the constructor is private, so the four static members are the only instances.
 */
export class DeploymentModel {
  /** Provider-managed keys (`ManagedKey`): lowest burden, for commercial and non-regulated data. */
  public static readonly PROVIDER_MANAGED = new DeploymentModel(
    'PROVIDER_MANAGED', 'Provider-managed', KeyCustody.PROVIDER, OperationalBurden.LOWEST,
    'Commercial / non-regulated', 'ManagedKey', 1);

  /** Customer-managed keys inside the provider KMS (`CustomerManagedKey`). */
  public static readonly CUSTOMER_MANAGED = new DeploymentModel(
    'CUSTOMER_MANAGED', 'Customer-managed key (CMK) within provider KMS', KeyCustody.SHARED, OperationalBurden.MODERATE,
    'FedRAMP Moderate, SOC 2', 'CustomerManagedKey', 2);

  /** Bring your own key: customer-generated material imported into the provider KMS (`ByokImport`). */
  public static readonly BYOK = new DeploymentModel(
    'BYOK', 'Bring your own key (BYOK)', KeyCustody.CUSTOMER_IMPORT, OperationalBurden.HIGH,
    'FedRAMP High, financial sector', 'ByokImport', 3);

  /** Hold your own key: material in a customer-operated external key manager (`HyokExternalStore`). */
  public static readonly HYOK = new DeploymentModel(
    'HYOK', 'Hold your own key (HYOK)', KeyCustody.CUSTOMER_EXTERNAL, OperationalBurden.HIGHEST,
    'Sovereign data requirements', 'HyokExternalStore', 4);

  /** All four models, from least to most customer custody. */
  public static all(): DeploymentModel[] {
    return [DeploymentModel.PROVIDER_MANAGED, DeploymentModel.CUSTOMER_MANAGED, DeploymentModel.BYOK, DeploymentModel.HYOK];
  }

  /**
   * The model with the given id (`PROVIDER_MANAGED`, `CUSTOMER_MANAGED`, `BYOK`, `HYOK`).
   */
  public static fromId(id: string): DeploymentModel {
    const found = DeploymentModel.all().find((m) => m.id === id);
    if (!found) {
      throw new Error(`deployment model must be one of ${DeploymentModel.all().map((m) => m.id).join(', ')}, got ${id}`);
    }
    return found;
  }

  private constructor(
    /** Stable identifier. */
    public readonly id: string,
    /** Human-readable name. */
    public readonly title: string,
    /** Who holds the key material. */
    public readonly custody: KeyCustody,
    /** Operational burden on the customer. */
    public readonly operationalBurden: OperationalBurden,
    /** Regulatory fit from the decision table. */
    public readonly regulatoryFit: string,
    /** The construct that implements this model in every cloud namespace. */
    public readonly constructName: string,
    /** 1 (provider custody) to 4 (customer-held external custody). */
    public readonly custodyRank: number,
  ) {}

  public toString(): string {
    return this.id;
  }
}

import { Token } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { CloudHsmCluster } from './cloudhsm-cluster';
import { FipsLevel } from '../core/fips';
import { requireDefined, shown, ValidationError } from '../core/validation';
import { nonBlankString, requireProps, shownHead } from './private/input';

/** Options common to both XKS connectivity choices. */
export interface XksProxyOptions {
  /** The proxy endpoint, `https://host[:port]` with no path. */
  readonly uriEndpoint: string;
  /**
   * The proxy path: an optional prefix followed by `/kms/xks/v1`.
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/create-xks-keystore.html#require-path
   */
  readonly uriPath: string;
  /**
   * A Secrets Manager secret holding the proxy authentication credential as JSON
   * `{"accessKeyId": "...", "secretAccessKey": "..."}`. Read by the handler at deployment, never put in the template.
   */
  readonly credential: secretsmanager.ISecret;
  /** The FIPS 140 level your external key manager is validated at (what the profile is checked against). */
  readonly externalKeyManagerFipsLevel: FipsLevel;
}

/** XKS proxy reached through a VPC endpoint service. */
export interface XksVpcEndpointServiceOptions extends XksProxyOptions {
  /** Name of the VPC endpoint service, `com.amazonaws.vpce.<region>.vpce-svc-…`. */
  readonly vpcEndpointServiceName: string;
}

/** A CloudHSM key store. */
export interface CloudHsmKeyStoreOptions {
  /** The cluster, initialized and activated (see the README runbook), with the `kmsuser` crypto user created. */
  readonly cluster: CloudHsmCluster;
  /** PEM of the CA certificate that signed the cluster certificate (public; not a secret). */
  readonly trustAnchorCertificate: string;
  /** A Secrets Manager secret holding the `kmsuser` password (a plain string, or JSON with `password`). */
  readonly kmsUserPassword: secretsmanager.ISecret;
}

/**
 * Where the keys of a `HyokExternalStore` live.
 */
export class KeyStoreBackend {
  /** An external key manager behind an XKS proxy on a public endpoint. */
  public static xksPublicEndpoint(options: XksProxyOptions): KeyStoreBackend {
    requireXksOptions(options, false);
    return new KeyStoreBackend('EXTERNAL_KEY_STORE', 'PUBLIC_ENDPOINT', options, undefined, undefined);
  }

  /** An external key manager behind an XKS proxy reached through a VPC endpoint service. */
  public static xksVpcEndpointService(options: XksVpcEndpointServiceOptions): KeyStoreBackend {
    requireXksOptions(options, true);
    return new KeyStoreBackend('EXTERNAL_KEY_STORE', 'VPC_ENDPOINT_SERVICE', options, options.vpcEndpointServiceName, undefined);
  }

  /** A CloudHSM cluster you own. */
  public static cloudHsm(options: CloudHsmKeyStoreOptions): KeyStoreBackend {
    requireProps(options, 'KeyStoreBackend.cloudHsm');
    if (!(requireDefined('cluster', options.cluster) instanceof CloudHsmCluster)) {
      throw new ValidationError(`cluster must be a CloudHsmCluster, got ${shown(options.cluster)}`);
    }
    nonBlankString('trustAnchorCertificate', requireDefined('trustAnchorCertificate', options.trustAnchorCertificate));
    requireSecret('kmsUserPassword', options.kmsUserPassword);
    return new KeyStoreBackend('AWS_CLOUDHSM', undefined, undefined, undefined, options);
  }

  /** `EXTERNAL_KEY_STORE` or `AWS_CLOUDHSM`. */
  public readonly storeType: string;
  /** The `Origin` of keys in the store. */
  public readonly keyOrigin: string;
  /** FIPS 140 level of the module holding the key material. */
  public readonly fipsLevel: FipsLevel;
  /** @internal */
  public readonly _xks?: XksProxyOptions;
  /** @internal */
  public readonly _connectivity?: string;
  /** @internal */
  public readonly _vpcEndpointServiceName?: string;
  /** @internal */
  public readonly _cloudHsm?: CloudHsmKeyStoreOptions;

  private constructor(storeType: string, connectivity: string | undefined, xks: XksProxyOptions | undefined,
    vpcEndpointServiceName: string | undefined, cloudHsm: CloudHsmKeyStoreOptions | undefined) {
    this.storeType = storeType;
    this.keyOrigin = storeType === 'EXTERNAL_KEY_STORE' ? 'EXTERNAL_KEY_STORE' : 'AWS_CLOUDHSM';
    this._xks = xks;
    this._connectivity = connectivity;
    this._vpcEndpointServiceName = vpcEndpointServiceName;
    this._cloudHsm = cloudHsm;
    this.fipsLevel = xks ? xks.externalKeyManagerFipsLevel : FipsLevel.LEVEL_3;
    if (xks) validateXks(xks, vpcEndpointServiceName);
    if (cloudHsm && !Token.isUnresolved(cloudHsm.trustAnchorCertificate) && !cloudHsm.trustAnchorCertificate.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ValidationError(`trustAnchorCertificate must be a PEM certificate (-----BEGIN CERTIFICATE-----), got ${shownHead(cloudHsm.trustAnchorCertificate)}`);
    }
  }
}

function requireSecret(prop: string, secret: secretsmanager.ISecret | undefined): void {
  const value = requireDefined(prop, secret);
  if (typeof value !== 'object' || typeof value.secretArn !== 'string' || typeof value.grantRead !== 'function') {
    throw new ValidationError(`${prop} must be a Secrets Manager secret (ISecret), got ${shown(value)}`);
  }
}

function requireXksOptions(o: XksProxyOptions | XksVpcEndpointServiceOptions, vpcEndpointService: boolean): void {
  requireProps(o, vpcEndpointService ? 'KeyStoreBackend.xksVpcEndpointService' : 'KeyStoreBackend.xksPublicEndpoint');
  nonBlankString('uriEndpoint', requireDefined('uriEndpoint', o.uriEndpoint));
  nonBlankString('uriPath', requireDefined('uriPath', o.uriPath));
  requireSecret('credential', o.credential);
  if (!Object.values(FipsLevel).includes(requireDefined('externalKeyManagerFipsLevel', o.externalKeyManagerFipsLevel))) {
    throw new ValidationError(`externalKeyManagerFipsLevel must be a FipsLevel such as FipsLevel.LEVEL_3, got ${shown(o.externalKeyManagerFipsLevel)}`);
  }
  if (vpcEndpointService) {
    nonBlankString('vpcEndpointServiceName', requireDefined('vpcEndpointServiceName', (o as XksVpcEndpointServiceOptions).vpcEndpointServiceName));
  }
}

function validateXks(o: XksProxyOptions, serviceName?: string): void {
  if (!Token.isUnresolved(o.uriEndpoint) && !/^https:\/\/[a-z0-9.-]+(:\d+)?$/i.test(o.uriEndpoint)) {
    throw new ValidationError(`uriEndpoint must be https://<host>[:port] with no path, got ${shown(o.uriEndpoint)}`);
  }
  if (!Token.isUnresolved(o.uriPath) && !/^(\/[A-Za-z0-9._~-]+)*\/kms\/xks\/v1$/.test(o.uriPath)) {
    throw new ValidationError(`uriPath must be an optional prefix followed by /kms/xks/v1, got ${shown(o.uriPath)}`);
  }
  if (serviceName !== undefined && !Token.isUnresolved(serviceName) && !/^com\.amazonaws\.vpce\.[a-z0-9-]+\.vpce-svc-[0-9a-f]+$/.test(serviceName)) {
    throw new ValidationError(`vpcEndpointServiceName must look like com.amazonaws.vpce.<region>.vpce-svc-<id>, got ${shown(serviceName)}`);
  }
}

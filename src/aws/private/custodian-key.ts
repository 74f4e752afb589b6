import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { GrantConditions } from '../custodians';
import {
  DECRYPT_ACTIONS, ENCRYPT_ACTIONS, GENERATE_MAC_ACTIONS, SIGN_ACTIONS, VERIFY_ACTIONS, VERIFY_MAC_ACTIONS,
} from '../key-policy-actions';
import { CustodianPolicy } from './custodian-policy';
import { buildGenesisPolicy } from './key-policy';
import { normalizeAlias } from './key-settings';
import type { ReplicationSource } from './replica-source';

/**
 * The base of every `kms.Key` whose key policy is the only authority (CustomerManagedKey, ByokImport).
 * Not exported: jsii copies its members into each subclass.
 *
 * Grants are written into the key policy (same-account principals need no IAM policy), and each grantee is
 * checked against the separation-of-duties rules.
 *
 * @internal
 */
export abstract class CustodianKeyBase extends kms.Key {
  /** Whether destructive operations are held by approvers with MFA. */
  public readonly dualControl: boolean;
  /** Whether the account root holds `kms:*` (IAM delegation; separation of duties not enforced). */
  public readonly delegateToIam: boolean;

  /**
   * What a multi-Region primary hands its replicas (set by the subclass; undefined on other keys).
   * @internal
   */
  public _replication?: ReplicationSource;

  private readonly custodianPolicy: CustodianPolicy;

  /**
   * @param gatePolicy under dual control, whether CloudFormation's policy changes go through the gate (a custom
   * resource per key); without it they fail (the deployment principal holds no PutKeyPolicy).
   */
  protected constructor(scope: Construct, id: string, props: kms.KeyProps, custodianPolicy: CustodianPolicy, gatePolicy = true) {
    super(scope, id, { ...props, policy: custodianPolicy.document });
    this.custodianPolicy = custodianPolicy;
    this.dualControl = custodianPolicy.dualControl;
    this.delegateToIam = custodianPolicy.delegateToIam;
    const gate = custodianPolicy.gate;
    if (gate) {
      const cfn = this.node.defaultChild as kms.CfnKey;
      // Under dual control the deployment principal may not call PutKeyPolicy, so KMS's lockout check would refuse the
      // key: CreateKey requires the policy to let the caller call PutKeyPolicy later unless this is set. The key stays
      // manageable: the gate's executor holds PutKeyPolicy.
      // @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html#KMS-CreateKey-request-BypassPolicyLockoutSafetyCheck
      // @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-kms-key.html#cfn-kms-key-bypasspolicylockoutsafetycheck
      cfn.bypassPolicyLockoutSafetyCheck = true;
      if (gatePolicy) {
        // CloudFormation keeps a fixed genesis policy on the key (so it never calls PutKeyPolicy itself); the custodian
        // policy travels in Custom::CloudKmsGatedKeyPolicy, which the gate installs (see buildGenesisPolicy).
        cfn.keyPolicy = buildGenesisPolicy(custodianPolicy.deployer, gate.executorRole, [gate.executorRole.roleArn], custodianPolicy.approvers);
        const managed = gate.manageKeyPolicy(this, 'GatedPolicy', cfn.ref, cfn.attrArn, custodianPolicy.document);
        gate.allowTableAdministration(custodianPolicy.deployer);
        // Whatever uses the key's ARN is created after the custodian policy is in place.
        Object.defineProperty(this, 'keyArn', { value: managed.getAttString('KeyArn'), writable: false, enumerable: true });
      }
    }
    custodianPolicy.bind(this);
  }

  /** Adds an alias (`alias/` is added when missing; `alias/aws/` is reserved). */
  public addAlias(aliasName: string): kms.Alias {
    return super.addAlias(normalizeAlias(aliasName));
  }

  /**
   * CDK's generic grant collection, used by other constructs. The key policy does not delegate to IAM, so
   * these grants must land in the key policy too (trustAccountIdentities false); the synthesis-time policy
   * check still applies to them. Prefer the grant methods, which also check separation of duties early.
   */
  public get grants(): kms.KeyGrants {
    return kms.KeyGrants.fromKey(this, false);
  }

  /**
   * Grants the actions to the principal in the key policy, after checking it against separation of duties
   * (cryptographic actions make it a user, management actions an administrator).
   */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return this.custodianPolicy.grant(grantee, actions);
  }

  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, DECRYPT_ACTIONS);
  }

  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, ENCRYPT_ACTIONS);
  }

  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, [...ENCRYPT_ACTIONS, ...DECRYPT_ACTIONS]);
  }

  public grantSign(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, SIGN_ACTIONS);
  }

  public grantVerify(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, VERIFY_ACTIONS);
  }

  public grantSignVerify(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, [...SIGN_ACTIONS, ...VERIFY_ACTIONS]);
  }

  public grantGenerateMac(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, GENERATE_MAC_ACTIONS);
  }

  public grantVerifyMac(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, VERIFY_MAC_ACTIONS);
  }

  /**
   * Makes the principal a key administrator: management actions (without the dual-control ones when dual
   * control is on) and an explicit deny on cryptographic use.
   */
  public grantAdmin(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grantAdmin(grantee);
  }

  /** Grants encrypt and decrypt only when the request meets the conditions (encryption context, calling service). */
  public grantEncryptDecryptWhen(grantee: iam.IGrantable, conditions: GrantConditions): iam.Grant {
    return this.custodianPolicy.grant(grantee, [...ENCRYPT_ACTIONS, ...DECRYPT_ACTIONS], conditions);
  }

  /** Grants encrypt only when the request meets the conditions (encryption context, calling service). */
  public grantEncryptWhen(grantee: iam.IGrantable, conditions: GrantConditions): iam.Grant {
    return this.custodianPolicy.grant(grantee, ENCRYPT_ACTIONS, conditions);
  }

  /**
   * Grants what envelope encryption needs, GenerateDataKey and Decrypt, only when the request meets the conditions
   * (e.g. required encryption-context keys).
   */
  public grantDataKeyUseWhen(grantee: iam.IGrantable, conditions: GrantConditions): iam.Grant {
    return this.custodianPolicy.grant(grantee, ['kms:GenerateDataKey', 'kms:Decrypt'], conditions);
  }

  /** Grants decrypt only when the request meets the conditions (encryption context, calling service). */
  public grantDecryptWhen(grantee: iam.IGrantable, conditions: GrantConditions): iam.Grant {
    return this.custodianPolicy.grant(grantee, DECRYPT_ACTIONS, conditions);
  }
}

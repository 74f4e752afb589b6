import {
  DockerImageAssetLocation, DockerImageAssetSource, FileAssetLocation, FileAssetSource, ISynthesisSession, StackSynthesizer,
} from 'aws-cdk-lib';

const REFUSED = 'stackset-baseline-refuses-assets';

/**
 * Synthesizes a StackSet baseline: the template alone, with no bootstrap version rule and no asset manifest. A StackSet
 * deploys the same template into every member account, none of which has a CDK bootstrap bucket or repository, so an
 * asset cannot be located there. Assets are recorded (not thrown at once) so that the StackSet's validation can name
 * all of them together; their placeholder location never reaches a deployable template.
 * @see https://github.com/cdklabs/cdk-stacksets (which instead copies file assets to per-region buckets the caller shares)
 */
export class StackSetBaselineSynthesizer extends StackSynthesizer {
  /** Description of every asset a construct of the baseline asked for. */
  public readonly refusedAssets: string[] = [];

  public addFileAsset(asset: FileAssetSource): FileAssetLocation {
    this.refusedAssets.push(`file asset ${asset.fileName ?? asset.executable?.join(' ') ?? asset.sourceHash}`);
    const objectKey = `${asset.sourceHash}${asset.packaging === 'zip' ? '.zip' : ''}`;
    return {
      bucketName: REFUSED,
      objectKey,
      httpUrl: `https://${REFUSED}.s3.amazonaws.com/${objectKey}`,
      s3ObjectUrl: `s3://${REFUSED}/${objectKey}`,
    };
  }

  public addDockerImageAsset(asset: DockerImageAssetSource): DockerImageAssetLocation {
    this.refusedAssets.push(`container image asset ${asset.directoryName ?? asset.executable?.join(' ') ?? asset.sourceHash}`);
    return { imageUri: `${REFUSED}:${asset.sourceHash}`, repositoryName: REFUSED };
  }

  public synthesize(session: ISynthesisSession): void {
    this.synthesizeTemplate(session);
    this.emitArtifact(session);
  }
}

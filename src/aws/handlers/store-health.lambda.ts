import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { connectionState } from './key-store';
import { CONNECTED_METRIC, HEALTH_NAMESPACE } from './resource-types';

let client: CloudWatchClient | undefined;

/**
 * Scheduled: publishes 1 when the custom key store named in CUSTOM_KEY_STORE_ID is CONNECTED, else 0,
 * so a CloudWatch alarm can watch the connection state (KMS publishes no such metric).
 */
export async function handler(): Promise<{ connectionState: string }> {
  const id = process.env.CUSTOM_KEY_STORE_ID;
  if (!id) throw new Error('CUSTOM_KEY_STORE_ID is not set');
  const state = await connectionState(id);
  client ??= new CloudWatchClient({});
  await client.send(new PutMetricDataCommand({
    Namespace: HEALTH_NAMESPACE,
    MetricData: [{ MetricName: CONNECTED_METRIC, Dimensions: [{ Name: 'CustomKeyStoreId', Value: id }], Value: state === 'CONNECTED' ? 1 : 0 }],
  }));
  console.log(JSON.stringify({ customKeyStoreId: id, connectionState: state }));
  return { connectionState: state };
}

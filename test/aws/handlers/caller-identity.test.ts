import { allowedStsHosts, CallerProofVerifier, CheckedProof, checkCallerProof } from '../../../src/aws/handlers/caller-identity';
import { CALLER_PROOF_SERVER_ID_HEADER, CallerProof, createCallerProof, GET_CALLER_IDENTITY_BODY } from '../../../src/envelope/caller-proof';

// The function's own checks of a caller proof, before anything is sent to STS (which checks the signature; moto does
// not, so these checks are shown here on their own).
const CREDS = { accessKeyId: 'ASIAEXAMPLEEXAMPLE01', secretAccessKey: 'secret-of-the-caller', sessionToken: 'session-token-of-the-caller' };
const SERVER_ID = 'cloud-kms:Test/Envelope';
const SIGNED_AT = new Date('2026-11-29T12:00:00Z');
const CHECK = { serverId: SERVER_ID, region: 'us-east-1', now: () => SIGNED_AT.getTime() + 30_000 };

const proof = (extra: Partial<Parameters<typeof createCallerProof>[0]> = {}) =>
  createCallerProof({ credentials: CREDS, serverId: SERVER_ID, region: 'us-east-1', signingDate: SIGNED_AT, ...extra });
const withHeaders = (p: CallerProof, headers: Record<string, string | undefined>): CallerProof =>
  ({ ...p, headers: Object.fromEntries(Object.entries({ ...p.headers, ...headers }).filter(([, v]) => v !== undefined)) as Record<string, string> });

test('createCallerProof signs a GetCallerIdentity POST for the region\'s STS endpoint, the server id among the signed headers', async () => {
  const p = await proof();
  expect(p).toMatchObject({ method: 'POST', url: 'https://sts.us-east-1.amazonaws.com/', body: GET_CALLER_IDENTITY_BODY });
  expect(p.headers).toMatchObject({ 'host': 'sts.us-east-1.amazonaws.com', 'x-amz-date': '20261129T120000Z', 'x-amz-security-token': CREDS.sessionToken, [CALLER_PROOF_SERVER_ID_HEADER]: SERVER_ID });
  expect(p.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEXAMPLE01\/20261129\/us-east-1\/sts\/aws4_request, SignedHeaders=[^,]*x-cloud-kms-server-id[^,]*, Signature=[0-9a-f]{64}$/);
  // The secret never leaves the caller; a different secret gives a different signature.
  expect(JSON.stringify(p)).not.toContain(CREDS.secretAccessKey);
  const other = await proof({ credentials: { ...CREDS, secretAccessKey: 'another-secret' } });
  expect(other.headers.authorization).not.toBe(p.headers.authorization);
  expect(checkCallerProof(p, CHECK)).toEqual({
    host: 'sts.us-east-1.amazonaws.com',
    headers: expect.objectContaining({ authorization: p.headers.authorization, [CALLER_PROOF_SERVER_ID_HEADER]: SERVER_ID }),
    expiresAt: SIGNED_AT.getTime() + 5 * 60_000,
  });
});

test('the function talks only to its own partition\'s STS endpoints', () => {
  expect(allowedStsHosts('us-east-1')).toEqual(['sts.us-east-1.amazonaws.com', 'sts.amazonaws.com']);
  expect(allowedStsHosts('eu-west-1')).toEqual(['sts.eu-west-1.amazonaws.com', 'sts.amazonaws.com']);
  expect(allowedStsHosts('cn-north-1')).toEqual(['sts.cn-north-1.amazonaws.com.cn']);
  expect(allowedStsHosts('us-gov-west-1')).toEqual(['sts.us-gov-west-1.amazonaws.com']);
});

describe('refused before anything is sent', () => {
  test.each<[string, (p: CallerProof) => unknown, RegExp]>([
    ['no proof', () => undefined, /send callerProof/],
    ['a host of the caller\'s choosing', (p) => withHeaders({ ...p, url: 'https://attacker.example.com/' }, { host: 'attacker.example.com' }), /must be signed for sts\.us-east-1\.amazonaws\.com or sts\.amazonaws\.com/],
    ['another region\'s endpoint', (p) => withHeaders({ ...p, url: 'https://sts.eu-west-1.amazonaws.com/' }, { host: 'sts.eu-west-1.amazonaws.com' }), /must be signed for/],
    ['a url that is not the signed host', (p) => ({ ...p, url: 'https://attacker.example.com/' }), /the url must be https:\/\/sts\.us-east-1\.amazonaws\.com\//],
    ['a plain-http url', (p) => ({ ...p, url: 'http://sts.us-east-1.amazonaws.com/' }), /the url must be https/],
    ['another server id', (p) => withHeaders(p, { [CALLER_PROOF_SERVER_ID_HEADER]: 'vault.example.com' }), /made for another service/],
    ['no server id', (p) => withHeaders(p, { [CALLER_PROOF_SERVER_ID_HEADER]: undefined }), /made for another service/],
    ['a server id that is not signed', (p) => withHeaders(p, { authorization: p.headers.authorization.replace(';x-cloud-kms-server-id', '') }), /x-cloud-kms-server-id must be a signed header/],
    ['no signature', (p) => withHeaders(p, { authorization: undefined }), /no SigV4 signature/],
    ['a signature for another service', (p) => withHeaders(p, { authorization: p.headers.authorization.replace('/sts/', '/iam/') }), /no SigV4 signature/],
    ['a signature scoped to another region', (p) => withHeaders(p, { authorization: p.headers.authorization.replace('/us-east-1/', '/eu-west-1/') }), /signed for region us-east-1/],
    ['a tampered body', (p) => ({ ...p, body: 'Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/admin' }), /the body must be exactly/],
    ['a GET', (p) => ({ ...p, method: 'GET' }), /method must be POST/],
    ['a header with a line break', (p) => withHeaders(p, { 'x-amz-date': '20261129T120000Z\r\nhost: attacker.example.com' }), /must be a single-line string/],
    ['a signed header the function does not forward', (p) => withHeaders(p, { authorization: p.headers.authorization.replace('SignedHeaders=', 'SignedHeaders=x-forwarded-host;') }), /signed header x-forwarded-host is missing or not accepted/],
    ['a date that does not match the signature scope', (p) => withHeaders(p, { 'x-amz-date': '20261128T120000Z' }), /does not match the signature scope/],
  ])('%s', async (_what, mutate, message) => {
    const sent: CheckedProof[] = [];
    const verifier = new CallerProofVerifier(CHECK, async (p) => {
      sent.push(p);
      return { status: 200, body: '<Arn>arn:aws:sts::123456789012:assumed-role/a/b</Arn>' };
    });
    await expect(verifier.callerArn(mutate(await proof()))).rejects.toMatchObject({ code: 'IDENTITY', status: 403, message: expect.stringMatching(message) });
    expect(sent).toEqual([]);
  });

  test('a stale proof, and one dated in the future', async () => {
    const p = await proof();
    expect(() => checkCallerProof(p, { ...CHECK, now: () => SIGNED_AT.getTime() + 5 * 60_000 + 1 })).toThrow(/older than 5 minutes/);
    expect(() => checkCallerProof(p, { ...CHECK, now: () => SIGNED_AT.getTime() - 2 * 60_000 })).toThrow(/dated in the future/);
    expect(() => checkCallerProof(p, { ...CHECK, now: () => SIGNED_AT.getTime() + 5 * 60_000 })).not.toThrow();
  });
});

test('what is sent: our host, only the proof\'s signing headers, never its url; the answer cached until the proof expires', async () => {
  const sent: CheckedProof[] = [];
  const verifier = new CallerProofVerifier(CHECK, async (p) => {
    sent.push(p);
    return { status: 200, body: '<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/acme-app/s</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>' };
  });
  const p = withHeaders(await proof(), { 'x-forwarded-for': '10.0.0.1', 'Cookie': 'a=b' });
  expect(await verifier.callerArn(p)).toBe('arn:aws:sts::123456789012:assumed-role/acme-app/s');
  expect(await verifier.callerArn(p)).toBe('arn:aws:sts::123456789012:assumed-role/acme-app/s');
  expect(sent).toHaveLength(1);
  expect(sent[0].host).toBe('sts.us-east-1.amazonaws.com');
  expect(Object.keys(sent[0].headers).sort()).toEqual(['authorization', 'content-length', 'content-type', 'host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token', CALLER_PROOF_SERVER_ID_HEADER].sort());
});

test('STS\'s refusals and failures: refused or unavailable, never an identity', async () => {
  const p = await proof();
  const answer = (status: number, body: string) => new CallerProofVerifier(CHECK, async () => ({ status, body })).callerArn(p);
  await expect(answer(403, '<Error><Code>SignatureDoesNotMatch</Code></Error>')).rejects.toMatchObject({ code: 'IDENTITY', message: expect.stringMatching(/SignatureDoesNotMatch/) });
  await expect(answer(403, '<Error><Code>ExpiredToken</Code></Error>')).rejects.toMatchObject({ code: 'IDENTITY' });
  await expect(answer(503, '')).rejects.toMatchObject({ code: 'UNAVAILABLE', status: 503 });
  await expect(answer(200, '<html>not sts</html>')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  await expect(new CallerProofVerifier(CHECK, async () => {
    throw new Error('ECONNREFUSED');
  }).callerArn(p)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
});

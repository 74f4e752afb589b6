import { createHandler } from './envelope-handler';

/** Deployed by aws.EnvelopeEncryptionFunction; configured through its environment. */
export const handler = createHandler(process.env);

/*
 * Runs before every test file (jest setupFiles). aws-cdk-lib's built-in CloudFormation validation starts a rule engine
 * in WebAssembly for each synthesis, a third of a synthesis' time, and reports only warnings that fail nothing. It is
 * off here and runs, with its findings checked, over every test scenario in test/aws/cdk-validation.test.ts.
 * Set CDK_VALIDATION yourself to keep it on everywhere.
 */
process.env.CDK_VALIDATION ??= 'false';

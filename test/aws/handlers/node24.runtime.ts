/*
 * Runs only in the test:node24 task (its name does not match jest's *.test.ts): proves that the task's handler tests
 * ran on the Node.js major of the runtime the handlers deploy to, not on the Node.js that runs the build.
 */
import { App, Stack } from 'aws-cdk-lib';
import { EnvelopeFunction } from '../../../src/aws/handlers/envelope-function';
import { IsCompleteFunction } from '../../../src/aws/handlers/is-complete-function';
import { OnEventFunction } from '../../../src/aws/handlers/on-event-function';
import { StoreHealthFunction } from '../../../src/aws/handlers/store-health-function';

test('the handler tests run on the Node.js major of every handler\'s Lambda runtime', () => {
  const stack = new Stack(new App(), 'S');
  const runtimes = new Set([EnvelopeFunction, IsCompleteFunction, OnEventFunction, StoreHealthFunction]
    .map((F, i) => new F(stack, `F${i}`).runtime.name));
  expect([...runtimes]).toHaveLength(1);
  const major = /^nodejs(\d+)\.x$/.exec([...runtimes][0])?.[1];
  expect(major).toBeDefined();
  expect(process.version).toMatch(new RegExp(`^v${major}\\.`));
});

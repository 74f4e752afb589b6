import { cloudReports, errorsOf, validators } from './oscal-support';
import { oscalDocuments } from '../../src/compliance/oscal';

const TIME = '2026-01-31T12:00:00Z';
const { component, assessment } = validators();

describe.each([false, true])('OSCAL 1.0.6 documents of real reports (guardrails: %s)', (guardrails) => {
  const reports = cloudReports(guardrails);
  test.each(['aws', 'azure', 'gcp'] as const)('%s: both documents validate against NIST\'s schemas', (cloud) => {
    const docs = oscalDocuments(reports[cloud], { timestamp: TIME });
    expect(errorsOf(component, docs.componentDefinition)).toEqual([]);
    expect(errorsOf(assessment, docs.assessmentResults)).toEqual([]);
    expect(docs.componentDefinition['component-definition'].metadata).toMatchObject({ 'oscal-version': '1.0.6', 'last-modified': TIME });
  });
});

describe('the validator is shown to reject broken documents', () => {
  const docs = oscalDocuments(cloudReports(false).aws, { timestamp: TIME });
  const broken = <T>(doc: T, edit: (copy: any) => void): T => {
    const copy = JSON.parse(JSON.stringify(doc));
    edit(copy);
    return copy;
  };

  test('a component definition without its uuid', () => {
    expect(errorsOf(component, docs.componentDefinition)).toEqual([]);
    const doc = broken(docs.componentDefinition, (d) => delete d['component-definition'].uuid);
    expect(errorsOf(component, doc)).toContain("/component-definition must have required property 'uuid'");
  });

  test.each([[''], [' 1.0.6'], [106]])('a bad oscal-version (%p)', (version) => {
    expect(errorsOf(component, broken(docs.componentDefinition, (d) => d['component-definition'].metadata['oscal-version'] = version)).length).toBeGreaterThan(0);
    expect(errorsOf(assessment, broken(docs.assessmentResults, (d) => d['assessment-results'].metadata['oscal-version'] = version)).length).toBeGreaterThan(0);
  });

  test('assessment results: a finding without uuid, a random-looking version-1 uuid, a status OSCAL does not know', () => {
    expect(errorsOf(assessment, docs.assessmentResults)).toEqual([]);
    const noUuid = broken(docs.assessmentResults, (d) => delete d['assessment-results'].results[0].findings[0].uuid);
    expect(errorsOf(assessment, noUuid)).toContain("/assessment-results/results/0/findings/0 must have required property 'uuid'");
    const v1 = broken(docs.assessmentResults, (d) => d['assessment-results'].uuid = 'c232ab00-9414-11ec-b3c8-9f6bdeced846');
    expect(errorsOf(assessment, v1).join('\n')).toMatch(/^\/assessment-results\/uuid must match pattern/m);
    const partial = broken(docs.assessmentResults, (d) => d['assessment-results'].results[0].findings[0].target.status.state = 'partially-satisfied');
    expect(errorsOf(assessment, partial).join('\n')).toMatch(/status\/state must be equal to one of the allowed values/);
  });
});

/** Validation of SearchParameter resources and registries with custom parameters. */
import { describe, expect, it } from 'vitest';
import { customParamsOf, searchParameterIssues, searchParameterIssueStatus } from './custom-search-parameters.js';
import { SearchRegistry } from './registry.js';

const base = new SearchRegistry();
const sp = { resourceType: 'SearchParameter' as const, id: 'x', url: 'https://tessera.test/sp/x', status: 'active', code: 'marital-status', base: ['Patient'], type: 'token', expression: 'Patient.maritalStatus' };

describe('custom search parameters', () => {
  it('accepts a token parameter in the FHIRPath subset', () => {
    expect(searchParameterIssues(sp, base)).toEqual([]);
  });

  it.each([
    [{ expression: 'Patient.name.select(given)' }, 'SearchParameter.expression', 422],
    [{ type: 'special' }, 'SearchParameter.type', 422],
    [{ base: ['NoSuchType'] }, 'SearchParameter.base[0]', 422],
    [{ code: '_secret' }, 'SearchParameter.code', 400],
    [{ code: 'gender' }, 'SearchParameter.code', 400],
    [{ code: '_id' }, 'SearchParameter.code', 400],
    [{ expression: undefined }, 'SearchParameter.expression', 400],
  ])('refuses %o, naming %s (%i)', (change, expression, status) => {
    const issues = searchParameterIssues({ ...sp, ...change }, base);
    expect(issues.map((i) => i.expression?.[0])).toContain(expression);
    expect(searchParameterIssueStatus(issues)).toBe(status);
  });

  it('adds the parameter to a registry without changing the base one', () => {
    const params = customParamsOf(sp, base);
    const registry = base.withCustom(params.map((p) => ({ ...p, isIndexing: true })));
    expect(registry.get('Patient', 'marital-status')).toMatchObject({ type: 'token', customId: 'x', isIndexing: true });
    expect(base.get('Patient', 'marital-status')).toBeUndefined();
    expect(registry.get('Patient', 'gender')).toBe(base.get('Patient', 'gender'));
    const patient = { resourceType: 'Patient', id: 'p', gender: 'female', maritalStatus: { coding: [{ system: 's', code: 'M' }] } };
    expect(registry.extract(patient, 'marital-status').token).toEqual([{ param: 'marital-status', system: 's', code: 'M', text: null }]);
    // A second custom definition of the same code is refused, the same one's update is not.
    expect(searchParameterIssues({ ...sp, id: 'y' }, registry)[0]?.diagnostics).toMatch(/SearchParameter\/x/);
    expect(searchParameterIssues(sp, registry)).toEqual([]);
  });

  it('ignores SearchParameters that are not active', () => {
    expect(customParamsOf({ ...sp, status: 'retired' }, base)).toEqual([]);
  });
});

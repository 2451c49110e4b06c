/**
 * OperationDefinitions generated from calculator metadata
 * (https://hl7.org/fhir/R4/operationdefinition.html).
 */
import { describe, expect, it } from 'vitest';
import { calculatorList, calculators } from '../../calculators/index.js';
import { validateResource } from '../../fhir/validation/index.js';
import {
  CALCULATOR_CANONICAL_BASE, calculatorOperationDefinition, calculatorOperationListing, operationDefinitionUrl,
} from './operation-definitions.js';
import { outputValueType } from './parameters.js';

interface OpParam {
  name: string;
  use?: string;
  min: number;
  max: string;
  type?: string;
  documentation: string;
  part?: OpParam[];
}

describe.each(calculatorList.map((c) => [c.metadata.name, c.metadata] as const))('OperationDefinition for %s', (name, metadata) => {
  const def = calculatorOperationDefinition(metadata);
  const params = def.parameter as OpParam[];

  it('is a structurally valid R4 OperationDefinition', () => {
    expect(validateResource(def)).toEqual([]);
  });

  it('names the operation and where it can be invoked: system level and on a Patient instance', () => {
    expect(def).toMatchObject({
      id: `calculator-${name}`, url: `${CALCULATOR_CANONICAL_BASE}/OperationDefinition/calculator-${name}`, code: name,
      kind: 'operation', status: metadata.status, version: metadata.version, title: metadata.title,
      system: true, type: false, instance: true, resource: ['Patient'], affectsState: false,
    });
    expect(def.name).toMatch(/^[A-Z][A-Za-z0-9_]*$/);
    expect(def.experimental).toBe(metadata.status === 'draft');
  });

  it('has an in-parameter per input with the metadata type, its limits and codes documented', () => {
    const ins = params.filter((p) => p.use === 'in');
    for (const input of metadata.inputs) {
      const p = ins.find((x) => x.name === input.name)!;
      expect(p, input.name).toBeDefined();
      expect(p).toMatchObject({ type: input.type, min: 0, max: '1' });
      expect(p.documentation).toContain(input.description);
      if (input.min !== undefined) expect(p.documentation).toContain(`${input.min}–${input.max}`);
      if (input.values) expect(p.documentation).toContain(input.values.join(', '));
    }
    expect(ins.find((p) => p.name === 'store')).toMatchObject({ type: 'boolean' });
  });

  it('has an out-parameter per output with the type the response uses, and the provenance and return parameters', () => {
    const outs = params.filter((p) => p.use === 'out');
    for (const output of metadata.outputs) {
      const p = outs.find((x) => x.name === output.name)!;
      if (output.type === 'part') expect(p.part!.map((x) => x.name)).toEqual(output.parts!.map((x) => x.name));
      else expect(p.type).toBe(outputValueType(output));
      expect(p.max).toBe(output.repeats ? '*' : '1');
    }
    const input = outs.find((p) => p.name === 'input')!;
    expect(input.part!.map((p) => p.name)).toEqual([...metadata.inputs.map((i) => i.name), 'origin', 'source', 'effective', 'ageHours', 'maxAgeHours', 'recorded']);
    expect(outs.find((p) => p.name === 'return')).toMatchObject({ type: 'Observation', min: 0 });
  });

  it('cites its sources and states its limitations', () => {
    expect(def.description).toContain(metadata.source.url);
    for (const l of metadata.limitations) expect(def.comment).toContain(l);
  });

  it('is listed under the same canonical URL', () => {
    expect(calculatorOperationListing(metadata)).toEqual({ name, definition: def.url });
  });
});

describe('operation definitions', () => {
  it('only NEWS2 takes maxAgeHours, and states the 24 h default and 72 h ceiling', () => {
    const news2 = calculatorOperationDefinition(calculators.news2.metadata).parameter as OpParam[];
    expect(news2.find((p) => p.name === 'maxAgeHours')!.documentation).toMatch(/default 24, at most 72/);
    const bmi = calculatorOperationDefinition(calculators.bmi.metadata).parameter as OpParam[];
    expect(bmi.find((p) => p.name === 'maxAgeHours')).toBeUndefined();
  });

  it('states each record-based age limit', () => {
    expect(calculatorOperationDefinition(calculators.egfr.metadata).comment).toMatch(/at most 90 days old/);
    expect(calculatorOperationDefinition(calculators.bmi.metadata).comment).toMatch(/730 days \(2 years\)/);
  });

  it('documents creatinine limits per unit', () => {
    const p = (calculatorOperationDefinition(calculators.egfr.metadata).parameter as OpParam[]).find((x) => x.name === 'creatinine')!;
    expect(p.documentation).toMatch(/10–3000 umol\/L or 0\.1131–33\.9367 mg\/dL/);
  });

  it('takes a deployment\'s own canonical base', () => {
    expect(operationDefinitionUrl('bmi', 'https://fhir.nhs.example/R4/')).toBe('https://fhir.nhs.example/R4/OperationDefinition/calculator-bmi');
    expect(calculatorOperationDefinition(calculators.bmi.metadata, 'https://x.example').url).toBe('https://x.example/OperationDefinition/calculator-bmi');
  });
});

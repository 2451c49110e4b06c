import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { usePatientAppSignedIn } from '../../../../test/support/patient-app.js';

describe('patient app: test results', () => {
  const app = usePatientAppSignedIn('ann');

  it('groups results by panel with value, range, in/out of range, comment and laboratory', async () => {
    const res = await app.browser.get('/patient/results');
    expect(res.statusCode).toBe(200);
    const $ = cheerio.load(res.body);
    const panel = $('#panel-r-a2').closest('section');
    expect(panel.text()).toContain('tested by Calderdale Pathology');
    const row = $('#result-o-a2');
    expect(row.text()).toContain('47 mmol/mol');
    expect(row.text()).toContain('Above range');
    expect(row.text()).toContain('<42 mmol/mol');
    expect(panel.text()).toContain('Improving, keep going with the metformin');
    expect(panel.text()).toContain("Clinician's comment: HbA1c improving.");
    expect(res.body).not.toContain('UNFILED-MARKER-4');
    expect(res.body).not.toContain('99 mmol/mol');
  });

  it('charts one test across every source in one unit, each point with its own range, with a table', async () => {
    const res = await app.browser.get('/patient/results/hba1c');
    expect(res.statusCode).toBe(200);
    const $ = cheerio.load(res.body);
    const svg = $('svg.app-chart');
    expect(svg.attr('role')).toBe('img');
    expect(svg.find('desc').text()).toContain('4 results');
    expect(svg.find('.point').length).toBe(4);
    expect(svg.find('rect.band').length).toBe(4);
    const bands = svg.find('rect.band').map((_, b) => $(b).attr('y')).get();
    expect(new Set(bands).size).toBeGreaterThan(1);
    const rows = $('table tbody tr').map((_, r) => $(r).text().replace(/\s+/g, ' ').trim()).get();
    expect(rows).toHaveLength(4);
    expect(rows[0]).toContain('44 mmol/mol');
    expect(rows[0]).toContain('Airedale Laboratory');
    expect(rows[3]).toContain('58 mmol/mol (reported as 7.5 %)');
    expect(svg.find('path.point-out').length).toBe(3);
  });

  it('answers 404 for a test with no results or an unknown test', async () => {
    expect((await app.browser.get('/patient/results/sodium')).statusCode).toBe(404);
    expect((await app.browser.get('/patient/results/unicorns')).statusCode).toBe(404);
  });
});

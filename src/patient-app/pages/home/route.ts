/** GET /patient — the home page (signed in). */
import type { PageHandler } from '../../http/page.js';
import { sectionsFor, SECTIONS } from '../../model/sections.js';
import { loadRecord } from '../record-loader.js';
import { homeModel } from './view-model.js';

export const homePage: PageHandler = async ({ ctx }) => {
  const types = ['Patient', ...new Set(sectionsFor(ctx.level).flatMap((k) => SECTIONS[k].types))];
  const record = await loadRecord(ctx.client, ctx.profile.patientId, types, ctx.viewer, ctx.log, ctx.level);
  const model = homeModel({
    patients: record.byType.get('Patient') ?? [], profileId: ctx.profile.patientId, isOwn: ctx.profile.isOwn,
    byType: record.byType, level: ctx.level,
    ctx: { glossary: ctx.glossary, directory: ctx.directory, ...(ctx.session.since ? { since: new Date(ctx.session.since) } : {}) },
  });
  return { view: 'home/home.njk', title: ctx.profile.isOwn ? 'Your health record' : `${model.person.name}'s health record`, model: { m: model }, nav: 'home' };
};

/** Every page of the patient app: method, path and handler. */
import type { PageHandler } from '../http/page.js';
import { homePage } from './home/route.js';
import { recordPage, sectionPage } from './record/route.js';
import { resultsPage, trendPage } from './results/route.js';
import { conditionPage } from './conditions/route.js';
import { timelinePage } from './timeline/route.js';
import { flagPage, requestsPage } from './flag/route.js';
import { activityPage } from './activity/route.js';
import { sharingPage } from './sharing/route.js';
import { profilesPage } from './profiles/route.js';

/** A page route. */
export interface PageRoute {
  method: 'GET' | 'POST';
  path: string;
  handler: PageHandler;
}

/** The pages, in the order they are registered. */
export const PAGES: readonly PageRoute[] = [
  { method: 'GET', path: '/patient', handler: homePage },
  { method: 'GET', path: '/patient/record', handler: recordPage },
  { method: 'GET', path: '/patient/record/:section', handler: sectionPage },
  { method: 'GET', path: '/patient/results', handler: resultsPage },
  { method: 'GET', path: '/patient/results/:analyte', handler: trendPage },
  { method: 'GET', path: '/patient/conditions/:id', handler: conditionPage },
  { method: 'GET', path: '/patient/timeline', handler: timelinePage },
  { method: 'GET', path: '/patient/flag/:type/:id', handler: flagPage },
  { method: 'POST', path: '/patient/flag/:type/:id', handler: flagPage },
  { method: 'GET', path: '/patient/requests', handler: requestsPage },
  { method: 'GET', path: '/patient/activity', handler: activityPage },
  { method: 'GET', path: '/patient/sharing', handler: sharingPage },
  { method: 'POST', path: '/patient/sharing', handler: sharingPage },
  { method: 'GET', path: '/patient/profiles', handler: profilesPage },
  { method: 'POST', path: '/patient/profiles', handler: profilesPage },
];

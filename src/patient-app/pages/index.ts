/** Every page of the patient app: method, path and handler. */
import type { PageHandler } from '../http/page.js';
import { homePage } from './home/route.js';
import { recordPage, sectionPage } from './record/route.js';
import { resultsPage, trendPage } from './results/route.js';

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
];

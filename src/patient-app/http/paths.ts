/**
 * Where the patient app's files are: its templates and stylesheet live beside the TypeScript
 * sources (`src/patient-app`), which ship with the package, whether the code runs from `src/`
 * (tsx, tests) or from `dist/src/` (npm start); the NHS design system comes from the installed
 * `nhsuk-frontend` package.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const isBuilt = here.split(path.sep).includes('dist');

/** `src/patient-app` in the repository. */
export const APP_DIR = path.resolve(here, '..', ...(isBuilt ? ['..', '..', '..', 'src', 'patient-app'] : []));

/** `node_modules/nhsuk-frontend/dist`. */
export { NHSUK_DIST } from '../../design-system/nhsuk-assets.js';

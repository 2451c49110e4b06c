/**
 * The shape of a page handler: a thin adapter that takes the request context (who is signed
 * in, whose record, a RecordClient bound to them) and returns what to render or where to go.
 * View models are built by pure functions in `model/` and each page's `view-model.ts`.
 */
import type { Principal } from '../../auth/principal.js';
import type { Glossary } from '../glossary/glossary.js';
import type { AccessLevel } from '../model/access-level.js';
import type { SourceSystemInfo } from '../model/sources.js';
import type { Viewer } from '../model/visibility.js';
import type { RecordClient } from '../record-client.js';
import type { PatientSession } from '../session/session.js';

/** A record the signed-in person may open: their own, or one they act for. */
export interface ProfileOption {
  patientId: string;
  isOwn: boolean;
  /** Proxy permissions (empty for their own). */
  permissions: string[];
}

/** Everything a page knows about the request. */
export interface RequestContext {
  now: Date;
  session: PatientSession;
  principal: Principal;
  client: RecordClient;
  /** The CSRF token for this session's forms. */
  csrf: string;
  /** Whose record is shown. */
  profile: ProfileOption;
  profiles: ProfileOption[];
  viewer: Viewer;
  /** What the person may see of the record shown. */
  level: AccessLevel;
  /** What the person may see of their own record (set by their practice; full by default). */
  ownLevel: AccessLevel;
  directory: readonly SourceSystemInfo[];
  glossary: Glossary;
  /** Who the signed-in person is, in words. */
  userName: string;
  log: { warn(o: object, m: string): void; info(o: object, m: string): void };
}

/** A request as a page sees it. */
export interface PageRequest {
  ctx: RequestContext;
  params: Record<string, string>;
  query: Record<string, string>;
  /** Form fields (POST only; repeated names joined by a newline). */
  form: Record<string, string>;
  formAll: [string, string][];
}

/** An error summary line: text and the field it is about. */
export interface ErrorLine {
  text: string;
  href: string;
}

/** What a page returns. */
export type PageResult =
  | { view: string; title: string; model: Record<string, unknown>; status?: number; errors?: ErrorLine[]; banner?: string; nav?: string }
  | { redirect: string; session?: Partial<PatientSession> };

/** A page handler. */
export type PageHandler = (req: PageRequest) => Promise<PageResult>;

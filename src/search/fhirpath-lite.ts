/**
 * A compiler for the subset of FHIRPath used by the R4 search parameter expressions: paths,
 * unions, `as`/`ofType` type filters, `where(resolve() is T)`, `where(field='value')`,
 * `exists()` and indexers. Compiling once to closures makes indexing on every write cheap
 * (a general FHIRPath engine is 10–50× slower per call here).
 *
 * @see https://hl7.org/fhir/R4/searchparameter.html#expression
 * @see https://hl7.org/fhirpath/N1/
 */

/** One value found by a path, with its FHIR type when a choice element or `as` names it. */
export interface PathNode {
  value: unknown;
  /** FHIR type name (e.g. `Quantity`, `dateTime`) when known from the element's name. */
  type?: string;
}

/** A compiled expression: resource in, matched nodes out. */
export type CompiledPath = (resource: unknown) => PathNode[];

/** Thrown for expressions outside the supported subset. */
export class UnsupportedExpressionError extends Error {}

type Step = (nodes: PathNode[]) => PathNode[];

const PRIMITIVES = new Set([
  'boolean', 'integer', 'string', 'decimal', 'uri', 'url', 'canonical', 'base64Binary', 'instant', 'date',
  'dateTime', 'time', 'code', 'oid', 'id', 'markdown', 'unsignedInt', 'positiveInt', 'uuid',
]);

/** `valueQuantity` with base `value` → `Quantity`; `onsetDateTime` → `dateTime`. */
function typeFromSuffix(suffix: string): string {
  const lower = suffix.charAt(0).toLowerCase() + suffix.slice(1);
  return PRIMITIVES.has(lower) ? lower : suffix;
}

function pushValue(out: PathNode[], value: unknown, type?: string): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) if (v !== undefined && v !== null) out.push(type ? { value: v, type } : { value: v });
  } else {
    out.push(type ? { value, type } : { value });
  }
}

/** Child navigation, including choice elements (`value` finds `valueQuantity`). */
function child(name: string): Step {
  const prefixLen = name.length;
  return (nodes) => {
    const out: PathNode[] = [];
    for (const n of nodes) {
      const obj = n.value;
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) continue;
      const rec = obj as Record<string, unknown>;
      const direct = rec[name];
      if (direct !== undefined) {
        pushValue(out, direct);
        continue;
      }
      for (const key in rec) {
        if (key.length > prefixLen && key.startsWith(name)) {
          const c = key.charCodeAt(prefixLen);
          if (c >= 65 && c <= 90) pushValue(out, rec[key], typeFromSuffix(key.slice(prefixLen)));
        }
      }
    }
    return out;
  };
}

/** Whether a node is of FHIR type `type`, using the known type or the value's JSON shape. */
function isType(n: PathNode, type: string): boolean {
  if (n.type) return n.type === type || (type === 'Quantity' && ['Age', 'Duration', 'Distance', 'Count', 'SimpleQuantity', 'MoneyQuantity'].includes(n.type));
  const v = n.value;
  if (typeof v === 'object' && v !== null && 'resourceType' in v) return (v as { resourceType: unknown }).resourceType === type;
  switch (type) {
    case 'string': case 'uri': case 'code': case 'dateTime': case 'date': case 'canonical':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'decimal': case 'integer':
      return typeof v === 'number';
    default:
      return false;
  }
}

function ofType(type: string): Step {
  return (nodes) => nodes.filter((n) => isType(n, type)).map((n) => ({ value: n.value, type }));
}

/** The resource type a Reference points at, from `reference` or `type`. */
export function referenceTargetType(ref: unknown): string | undefined {
  if (typeof ref !== 'object' || ref === null) return undefined;
  const r = ref as { reference?: unknown; type?: unknown };
  if (typeof r.reference === 'string') {
    const m = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[^/]+)?$/.exec(r.reference);
    if (m) return m[1];
  }
  return typeof r.type === 'string' ? r.type : undefined;
}

function whereResolveIs(type: string): Step {
  return (nodes) => nodes.filter((n) => referenceTargetType(n.value) === type);
}

function whereEquals(field: string, literal: string): Step {
  return (nodes) =>
    nodes.filter((n) => {
      const v = n.value;
      return typeof v === 'object' && v !== null && (v as Record<string, unknown>)[field] === literal;
    });
}

function index(i: number): Step {
  return (nodes) => (nodes[i] ? [nodes[i]] : []);
}

/** A tiny recursive-descent parser over the expression text. */
class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): Step {
    const s = this.union();
    this.ws();
    if (this.pos < this.src.length) this.fail('unexpected text');
    return s;
  }

  private fail(why: string): never {
    throw new UnsupportedExpressionError(`${why} at ${this.pos} in: ${this.src}`);
  }

  private ws(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  private peek(s: string): boolean {
    this.ws();
    return this.src.startsWith(s, this.pos);
  }

  private eat(s: string): void {
    if (!this.peek(s)) this.fail(`expected '${s}'`);
    this.pos += s.length;
  }

  private ident(): string {
    this.ws();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos));
    if (!m) this.fail('expected a name');
    this.pos += m[0].length;
    return m[0];
  }

  private union(): Step {
    const terms = [this.term()];
    while (this.peek('|')) {
      this.eat('|');
      terms.push(this.term());
    }
    if (terms.length === 1) return terms[0]!;
    return (nodes) => terms.flatMap((t) => t(nodes));
  }

  private term(): Step {
    let steps: Step[] = [];
    if (this.peek('(')) {
      this.eat('(');
      steps.push(this.union());
      this.eat(')');
    } else {
      // The leading name is the resource type (or `Resource`/`DomainResource`): it selects the root.
      const root = this.ident();
      steps.push((nodes) => nodes.filter((n) => root === 'Resource' || root === 'DomainResource' || isType(n, root) || !n.type));
    }
    for (;;) {
      if (this.peek('.')) {
        this.eat('.');
        const name = this.ident();
        if (this.peek('(')) steps.push(this.call(name));
        else steps.push(child(name));
      } else if (this.peek('[')) {
        this.eat('[');
        this.ws();
        const m = /^\d+/.exec(this.src.slice(this.pos));
        if (!m) this.fail('expected an index');
        this.pos += m[0].length;
        this.eat(']');
        steps.push(index(Number(m[0])));
      } else if (this.peekWord('as') || this.peekWord('is')) {
        const op = this.ident();
        const type = this.ident();
        if (op === 'as') steps.push(ofType(type));
        else this.fail('`is` outside where()');
      } else if (this.peekWord('and')) {
        // Only `X.exists() and X != false` occurs (Patient.deceased): true when present and not
        // false, else false — a boolean either way, as FHIRPath's `and` gives (`false and {}` is
        // false), so `deceased=false` finds the living. https://hl7.org/fhirpath/N1/#and
        this.ident();
        const rest = this.src.slice(this.pos).trim();
        if (!/^[A-Za-z.]+ != false$/.test(rest)) this.fail('unsupported `and`');
        this.pos = this.src.length;
        const inner = steps;
        steps = [];
        steps.push((nodes) => {
          let cur = nodes;
          for (const s of inner) cur = s(cur);
          return cur.length > 0 ? cur : [{ value: false, type: 'boolean' }];
        });
      } else break;
    }
    return (nodes) => {
      let cur = nodes;
      for (const s of steps) cur = s(cur);
      return cur;
    };
  }

  private peekWord(word: string): boolean {
    this.ws();
    return this.src.startsWith(`${word} `, this.pos);
  }

  private call(name: string): Step {
    this.eat('(');
    let step: Step;
    switch (name) {
      case 'as':
      case 'ofType':
        step = ofType(this.ident());
        break;
      case 'where': {
        if (this.peek('resolve()')) {
          this.eat('resolve()');
          const op = this.ident();
          if (op !== 'is') this.fail('expected is');
          step = whereResolveIs(this.ident());
        } else {
          const field = this.ident();
          this.eat('=');
          this.eat("'");
          const end = this.src.indexOf("'", this.pos);
          if (end < 0) this.fail('unterminated string');
          const lit = this.src.slice(this.pos, end);
          this.pos = end + 1;
          step = whereEquals(field, lit);
        }
        break;
      }
      case 'exists':
        step = (nodes) => (nodes.length > 0 && !nodes.every((n) => n.value === false) ? [{ value: true, type: 'boolean' }] : []);
        break;
      case 'first':
        step = index(0);
        break;
      case 'resolve':
        step = (nodes) => nodes;
        break;
      default:
        this.fail(`unsupported function ${name}()`);
    }
    this.eat(')');
    return step;
  }
}

/**
 * Compiles a search parameter expression. Throws {@link UnsupportedExpressionError} for
 * expressions outside the subset; the caller decides how to treat such a parameter.
 */
export function compilePath(expression: string): CompiledPath {
  const step = new Parser(expression).parse();
  return (resource) => step([{ value: resource }]);
}

/**
 * Compiles an expression relative to a context node (composite components such as `code` or
 * `value.as(Quantity)`), where the first name is a child, not the resource type.
 */
export function compileRelativePath(expression: string): (nodes: PathNode[], resource: unknown) => PathNode[] {
  // `%resource.x` (MolecularSequence composites) starts again from the resource itself.
  if (expression.startsWith('%resource.')) {
    const step = new Parser(`Resource.${expression.slice('%resource.'.length)}`).parse();
    return (_nodes, resource) => step([{ value: resource }]);
  }
  const step = new Parser(`Resource.${expression}`).parse();
  return (nodes) => step(nodes);
}

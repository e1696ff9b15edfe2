/**
 * Checks a resource against what a profile snapshot adds to the base resource, on top of @medplum/core's base
 * validation (docs/decisions/032-validation-on-top-of-medplum.md). It covers what Medplum's own profile validation
 * (4.5.x) misses or gets wrong:
 * - slice children (e.g. `identifier:twilioSid.value` 1..1) and anything nested below the first level of a profile
 *   (cardinality, fixed and pattern values, choice types, ChartText invariants), which Medplum checks against the base
 *   type only;
 * - extensions against their own definitions (value type, cardinality, bindings, invariants), and extension slices
 *   whose url Medplum cannot see;
 * - required bindings, where the value set could be expanded at build time;
 * - reference targets (Medplum only warns, and ignores targets that are profiles);
 * and the first-level rules Medplum does check, so one pass says everything (and costs far less than Medplum's
 * profile validation, which re-parses the StructureDefinition on every call).
 * Only what the profile narrows is checked here; the base resource rules are Medplum's validateResource.
 * ElementDefinition semantics: https://hl7.org/fhir/R4/elementdefinition.html, slicing: https://hl7.org/fhir/R4/profiling.html#slicing
 */
import { deepEquals, deepIncludes, evalFhirPathTyped, parseFhirPath, type FhirPathAtom } from '@medplum/core';
import type { Coding, ElementDefinition, OperationOutcomeIssue, StructureDefinition } from '@medplum/fhirtypes';

/** One element of a snapshot, with its children and its slices. */
export interface ElementNode {
  ed: ElementDefinition;
  id: string;
  /** Property name, e.g. `identifier`, `value[x]`. */
  name: string;
  children: ElementNode[];
  slices: ElementNode[];
}

/** A StructureDefinition's snapshot as a tree. */
export interface SnapshotTree {
  url: string;
  id: string;
  type: string;
  kind: 'profile' | 'extension';
  root: ElementNode;
}

/** A value set expansion, as `system|code` keys and bare codes. */
export interface Expansion {
  url: string;
  codings: Set<string>;
  codes: Set<string>;
}

/** What the checker needs besides the profile: extension definitions, expansions, and profile types. */
export interface CheckContext {
  /** Canonical base whose extensions must be known (unknown URLs under it are errors). */
  canonicalBase: string;
  extensions: Map<string, SnapshotTree>;
  expansions: Map<string, Expansion>;
  /** Resource type constrained by each known profile URL (reference targets). */
  profileTypes: Map<string, string>;
}

interface Entry {
  value: unknown;
  path: string;
  /** FHIR type of the value when the element is a choice (`value[x]`). */
  type?: string;
}

const PRIMITIVES = new Set(
  'boolean integer string decimal uri url canonical base64Binary instant date dateTime time code oid id markdown unsignedInt positiveInt uuid xhtml'.split(
    ' ',
  ),
);
const HL7_SD = 'http://hl7.org/fhir/StructureDefinition/';

/**
 * Parsed invariant expressions by text (`null`: does not parse, so the invariant fails), parsed on first use rather
 * than on every check: the sandbox validates every write. Bounded by the constraints in the loaded profiles.
 */
const parsedInvariants = new Map<string, FhirPathAtom | null>();

function parsedInvariant(expression: string): FhirPathAtom | null {
  let atom = parsedInvariants.get(expression);
  if (atom === undefined) {
    try {
      atom = parseFhirPath(expression);
    } catch {
      atom = null;
    }
    parsedInvariants.set(expression, atom);
  }
  return atom;
}

/** Builds the element tree of a snapshot. */
export function snapshotTree(sd: StructureDefinition): SnapshotTree {
  const elements = sd.snapshot?.element ?? [];
  const byId = new Map<string, ElementNode>();
  let root: ElementNode | undefined;
  for (const ed of elements) {
    const id = ed.id ?? ed.path;
    const node: ElementNode = { ed, id, name: ed.path.slice(ed.path.lastIndexOf('.') + 1), children: [], slices: [] };
    byId.set(id, node);
    if (!root) {
      root = node;
      continue;
    }
    const lastDot = id.lastIndexOf('.');
    const last = id.slice(lastDot + 1);
    const colon = last.indexOf(':');
    if (colon >= 0) byId.get(id.slice(0, lastDot + 1 + colon))?.slices.push(node);
    else byId.get(id.slice(0, lastDot))?.children.push(node);
  }
  if (!root) throw new Error(`StructureDefinition ${sd.url} has no snapshot; build with SUSHI --snapshot`);
  return {
    url: sd.url,
    id: sd.id ?? sd.name,
    type: sd.type,
    kind: sd.type === 'Extension' ? 'extension' : 'profile',
    root,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const maxOf = (max: string | undefined): number => (max === undefined || max === '*' ? Infinity : Number(max));
const range = (ed: ElementDefinition): string => `${ed.min ?? 0}..${ed.max ?? '*'}`;

function fixedOrPattern(ed: ElementDefinition): { kind: 'fixed' | 'pattern'; value: unknown } | undefined {
  for (const [key, value] of Object.entries(ed) as [string, unknown][]) {
    if (key.startsWith('fixed')) return { kind: 'fixed', value };
    if (key.startsWith('pattern')) return { kind: 'pattern', value };
  }
  return undefined;
}

function choiceType(suffix: string): string {
  const lowered = suffix.charAt(0).toLowerCase() + suffix.slice(1);
  return PRIMITIVES.has(lowered) ? lowered : suffix;
}

/** The values of one child element in a JSON object (choice elements collect every `name<Type>` key). */
function childEntries(parent: Record<string, unknown>, name: string, path: string): Entry[] {
  const entriesOf = (key: string, raw: unknown, type?: string): Entry[] =>
    Array.isArray(raw)
      ? (raw as unknown[]).map((value, i) => ({ value, path: `${path}.${key}[${i}]`, type }))
      : raw === undefined
        ? []
        : [{ value: raw, path: `${path}.${key}`, type }];
  if (!name.endsWith('[x]')) return entriesOf(name, parent[name]);
  const base = name.slice(0, -3);
  return Object.keys(parent)
    .filter((key) => key.startsWith(base) && /^[A-Z]/.test(key.charAt(base.length)))
    .flatMap((key) => entriesOf(key, parent[key], choiceType(key.slice(base.length))));
}

function referencedType(reference: string): string | undefined {
  if (reference.startsWith('#') || reference.startsWith('urn:')) return undefined;
  const conditional = /^([A-Z][A-Za-z]+)\?/.exec(reference);
  if (conditional) return conditional[1];
  return /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[^/]+)?$/.exec(reference)?.[1];
}

/** Walks one resource (or one extension) along a snapshot tree and collects issues. */
class SnapshotChecker {
  readonly issues: OperationOutcomeIssue[] = [];

  constructor(
    private readonly ctx: CheckContext,
    private readonly tree: SnapshotTree,
  ) {}

  private label(node: ElementNode): string {
    return this.tree.kind === 'extension' ? node.id.replace(/^Extension/, `extension(${this.tree.id})`) : node.id;
  }

  private add(code: OperationOutcomeIssue['code'], text: string, expression: string): void {
    this.issues.push({ severity: 'error', code, details: { text }, expression: [expression] });
  }

  /** Checks the root value (a resource, or one extension). */
  checkRoot(value: Record<string, unknown>, path: string): void {
    const root = this.tree.root;
    this.checkEntry(root, { value, path, type: this.tree.type });
  }

  private checkList(node: ElementNode, entries: Entry[], parentPath: string): void {
    const { ed } = node;
    const narrowed = (ed.min ?? 0) > (ed.base?.min ?? 0) || maxOf(ed.max) < maxOf(ed.base?.max);
    if (narrowed) this.checkCount(node, entries.length, `${parentPath}.${node.name}`);
    if (node.slices.length === 0) {
      for (const entry of entries) this.checkEntry(node, entry);
      return;
    }
    const counts = new Map<ElementNode, number>(node.slices.map((s) => [s, 0]));
    for (const entry of entries) {
      const slice = this.matchSlice(node, entry);
      if (slice) counts.set(slice, (counts.get(slice) ?? 0) + 1);
      this.checkEntry(slice ?? node, entry);
    }
    for (const [slice, count] of counts) {
      this.checkCount(slice, count, `${parentPath}.${node.name}`, this.sliceHint(node, slice));
    }
  }

  /** What makes a value belong to a slice, for messages: "with system https://…". */
  private sliceHint(node: ElementNode, slice: ElementNode): string {
    const parts = (node.ed.slicing?.discriminator ?? []).map((d) => {
      if (d.path === 'url' && node.name.endsWith('xtension')) {
        return `url ${slice.children.find((c) => c.name === 'url')?.ed.fixedUri ?? slice.ed.type?.[0]?.profile?.[0]}`;
      }
      let target: ElementNode | undefined = slice;
      if (d.path !== '$this') {
        for (const segment of d.path.split('.')) target = target?.children.find((c) => c.name === segment);
      }
      const expected = target && fixedOrPattern(target.ed);
      if (!expected) return undefined;
      const shown = typeof expected.value === 'string' ? expected.value : JSON.stringify(expected.value);
      return d.path === '$this' ? `matching ${shown}` : `${d.path} ${shown}`;
    });
    return parts.every(Boolean) ? ` (a value with ${parts.join(' and ')})`.replace('with matching', 'matching') : '';
  }

  private checkCount(node: ElementNode, count: number, expression: string, hint = ''): void {
    const { ed } = node;
    if (count < (ed.min ?? 0) || count > maxOf(ed.max)) {
      const what = count < (ed.min ?? 0) ? (count === 0 ? 'is missing' : 'has too few values') : 'has too many values';
      this.add(
        count < (ed.min ?? 0) ? 'required' : 'structure',
        `${this.label(node)} ${what}${hint}: expected ${range(ed)}, found ${count}`,
        expression,
      );
    }
  }

  private matchSlice(node: ElementNode, entry: Entry): ElementNode | undefined {
    const discriminators = node.ed.slicing?.discriminator ?? [];
    return node.slices.find((slice) =>
      discriminators.every((d) => {
        if (d.type !== 'value' && d.type !== 'pattern') return false;
        if (d.path === 'url' && node.name.endsWith('xtension')) {
          const expected =
            slice.children.find((c) => c.name === 'url')?.ed.fixedUri ?? slice.ed.type?.[0]?.profile?.[0];
          return isObject(entry.value) && entry.value.url === expected;
        }
        let target: ElementNode | undefined = slice;
        let values: unknown[] = [entry.value];
        if (d.path !== '$this') {
          for (const segment of d.path.split('.')) {
            target = target?.children.find((c) => c.name === segment);
            values = values.flatMap((v) => (isObject(v) ? [v[segment]].flat() : [])).filter((v) => v !== undefined);
          }
        }
        const expected = target && fixedOrPattern(target.ed);
        if (!expected) return false;
        return values.some((v) =>
          expected.kind === 'fixed' ? deepEquals(v, expected.value) : deepIncludes(v, expected.value),
        );
      }),
    );
  }

  private checkEntry(node: ElementNode, entry: Entry): void {
    const { ed } = node;
    const type = entry.type ?? ed.type?.[0]?.code;
    if (entry.type && ed.type?.length && !ed.type.some((t) => t.code === entry.type)) {
      const base = node.name.slice(0, -3);
      const allowed = ed.type.map((t) => base + t.code.charAt(0).toUpperCase() + t.code.slice(1)).join(' or ');
      const found = base + entry.type.charAt(0).toUpperCase() + entry.type.slice(1);
      this.add('structure', `${this.label(node)}: ${found} is not allowed here; use ${allowed}`, entry.path);
      return;
    }
    const expected = fixedOrPattern(ed);
    if (expected) {
      const ok =
        expected.kind === 'fixed' ? deepEquals(entry.value, expected.value) : deepIncludes(entry.value, expected.value);
      if (!ok) {
        this.add('value', `${this.label(node)} must be ${JSON.stringify(expected.value)}`, entry.path);
      }
    }
    this.checkBinding(node, entry, type);
    if (type === 'Reference') this.checkReference(node, entry);
    this.checkInvariants(node, entry, type);
    // A profile's extension slice is checked by checkExtensions against the extension's own definition.
    const extensionSlice = this.tree.kind === 'profile' && ed.type?.[0]?.code === 'Extension' && ed.type[0].profile;
    if (isObject(entry.value) && !extensionSlice) {
      for (const child of node.children) {
        this.checkList(child, childEntries(entry.value, child.name, entry.path), entry.path);
      }
    }
  }

  private checkBinding(node: ElementNode, entry: Entry, type: string | undefined): void {
    const binding = node.ed.binding;
    if (binding?.strength !== 'required' || !binding.valueSet) return;
    const expansion = this.ctx.expansions.get(binding.valueSet.split('|')[0] ?? '');
    if (!expansion) return;
    const key = (c: Coding): string => `${c.system ?? ''}|${c.code ?? ''}`;
    let ok = true;
    let shown = JSON.stringify(entry.value);
    if (type === 'code' || type === 'string' || type === 'uri') {
      ok = typeof entry.value === 'string' && expansion.codes.has(entry.value);
      shown = `"${String(entry.value)}"`;
    } else if (type === 'Coding' && isObject(entry.value)) {
      ok = expansion.codings.has(key(entry.value));
      shown = key(entry.value);
    } else if (type === 'CodeableConcept' && isObject(entry.value)) {
      const codings = (entry.value.coding as Coding[] | undefined) ?? [];
      ok = codings.some((c) => expansion.codings.has(key(c)));
      shown = codings.length ? codings.map(key).join(', ') : 'a concept without codings';
    } else {
      return;
    }
    if (!ok) {
      const bare = type === 'code' || type === 'string' || type === 'uri';
      const codes = bare ? [...expansion.codes] : [...expansion.codings];
      const hint = codes.length <= 12 ? `; expected one of ${codes.join(', ')}` : '';
      this.add('code-invalid', `${this.label(node)}: ${shown} is not in value set ${expansion.url}${hint}`, entry.path);
    }
  }

  private checkReference(node: ElementNode, entry: Entry): void {
    const targets = (node.ed.type ?? []).filter((t) => t.code === 'Reference').flatMap((t) => t.targetProfile ?? []);
    const reference = isObject(entry.value) ? entry.value.reference : undefined;
    if (!targets.length || typeof reference !== 'string') return;
    const found = referencedType(reference);
    const allowed = targets.map((url) =>
      url.startsWith(HL7_SD) ? url.slice(HL7_SD.length) : this.ctx.profileTypes.get(url),
    );
    if (!found || allowed.includes(undefined) || allowed.includes('Resource') || allowed.includes(found)) return;
    const names = [...new Set(allowed)].join(' or ');
    this.add(
      'structure',
      `${this.label(node)}: a reference to ${found} is not allowed here; expected ${names}`,
      entry.path,
    );
  }

  private checkInvariants(node: ElementNode, entry: Entry, type: string | undefined): void {
    for (const constraint of node.ed.constraint ?? []) {
      if (!constraint.key.startsWith('ctt-') || constraint.severity !== 'error' || !constraint.expression) continue;
      const atom = parsedInvariant(constraint.expression);
      let ok = false;
      try {
        const result = atom ? evalFhirPathTyped(atom, [{ type: type ?? 'Element', value: entry.value }]) : [];
        ok = result.length === 1 && result[0]?.value === true;
      } catch {
        ok = false;
      }
      if (!ok) this.add('invariant', `Constraint ${constraint.key} not met: ${constraint.human}`, entry.path);
    }
  }
}

/** Issues for `resource` against what the profile `tree` adds to the base resource type. */
export function checkAgainstProfile(resource: object, tree: SnapshotTree, ctx: CheckContext): OperationOutcomeIssue[] {
  const checker = new SnapshotChecker(ctx, tree);
  checker.checkRoot(resource as Record<string, unknown>, tree.type);
  return checker.issues;
}

/** Issues for every extension under `ctx.canonicalBase` anywhere in `value`, checked against its definition. */
export function checkExtensions(value: unknown, path: string, ctx: CheckContext): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${at}[${i}]`));
      return;
    }
    if (!isObject(node)) return;
    for (const [key, child] of Object.entries(node)) {
      if ((key === 'extension' || key === 'modifierExtension') && Array.isArray(child)) {
        child.forEach((ext, i) => {
          const url = isObject(ext) ? ext.url : undefined;
          if (typeof url !== 'string' || !url.startsWith(`${ctx.canonicalBase}/`)) return;
          const tree = ctx.extensions.get(url);
          const where = `${at}.${key}[${i}]`;
          if (!tree) {
            issues.push({
              severity: 'error',
              code: 'structure',
              details: {
                text: `Unknown ChartText extension ${url}: use a URL from EXTENSIONS in fhir-profiles/vocabulary.ts`,
              },
              expression: [where],
            });
            return;
          }
          const checker = new SnapshotChecker(ctx, tree);
          checker.checkRoot(ext as Record<string, unknown>, where);
          issues.push(...checker.issues);
        });
      }
      walk(child, `${at}.${key}`);
    }
  };
  walk(value, path);
  return issues;
}

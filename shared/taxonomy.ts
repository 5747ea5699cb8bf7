/**
 * The policy taxonomy: hierarchical, multi-label, versioned. A workspace keeps each version as a file
 * (`policy/taxonomy-v1.json`); a labeling session records the version it runs under and every label records it too.
 * Version 1 is DESIGN.md's. The keyboard keys live in the file so a team that edits its policy edits its keys.
 */
import { z } from 'zod/v3';
import { jsonSyntaxProblem, schemaProblem } from './jsonText.js';
import { DEFAULT_CHARACTER_KEYS } from './keymap.js';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Keys the labeling screen keeps for itself (its default keymap, shared/keymap.ts); a leaf may not take one. */
export const RESERVED_LABEL_KEYS = DEFAULT_CHARACTER_KEYS;

const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'names are lower-case letters, digits and _ (starting with a letter)');
const leafKey = z
  .string()
  .regex(/^[a-z]$/, 'a leaf key is one lower-case letter')
  .refine((key) => !RESERVED_LABEL_KEYS.includes(key), 'this key is reserved (s skip, u unsure, n note)');

const leafSchema = z
  .object({
    name: identifier,
    title: z.string().min(1),
    severity: z.enum(SEVERITIES),
    key: leafKey,
    guideline: z.string().default(''),
    /** Always escalated to a person, whatever a model says (csam). */
    alwaysEscalate: z.boolean().default(false),
    /**
     * Its media are shown shielded to everyone, the reviewer's blur-off preference aside (shared/mediaShield.ts).
     * Absent: the category's flag, else the defaults (nsfw's leaves and graphic_violence). csam and any critical leaf
     * are sensitive whatever this says.
     */
    sensitive: z.boolean().optional(),
  })
  .strict();

const categorySchema = z
  .object({
    name: identifier,
    title: z.string().min(1),
    /** A category with no leaves carries the severity itself. */
    severity: z.enum(SEVERITIES).optional(),
    guideline: z.string().default(''),
    /** Marks the category and, unless a leaf says otherwise, its leaves sensitive (shared/mediaShield.ts). */
    sensitive: z.boolean().optional(),
    leaves: z.array(leafSchema).default([]),
  })
  .strict();

/**
 * How a version differs from the one before it, category by category: what lets labels made under the old version
 * carry over (a rename, a merge) and what sends them to be labeled again (a split, a changed definition).
 */
const changeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rename'), from: identifier, to: identifier }).strict(),
  z.object({ kind: z.literal('merge'), from: z.array(identifier).min(2), into: identifier }).strict(),
  z.object({ kind: z.literal('split'), from: identifier, into: z.array(identifier).min(2) }).strict(),
  z.object({ kind: z.literal('definition'), category: identifier }).strict(),
]);
export type PolicyChange = z.output<typeof changeSchema>;

/**
 * A policy version's name: v and a number. A caller's version becomes a file name (policy/taxonomy-<version>.json),
 * so nothing else is accepted as one, anywhere.
 */
export const POLICY_VERSION_PATTERN = /^v[1-9][0-9]*$/;
/** Host.validate and parseTaxonomy put the field's name before the message. */
export const policyVersionName = () =>
  z.string().regex(POLICY_VERSION_PATTERN, 'a policy version is v followed by a number (v1, v2, …)');

export const taxonomySchema = z
  .object({
    version: policyVersionName(),
    title: z.string().default('Policy'),
    /** Against the previous version (absent in v1; a category not named is unchanged). */
    changes: z.array(changeSchema).default([]),
    categories: z
      .array(categorySchema)
      .min(1, 'a taxonomy has at least one category')
      .max(9, 'number keys 1–9 label categories: at most 9'),
  })
  .strict()
  .superRefine((taxonomy, ctx) => {
    const names = new Set<string>();
    const keys = new Set<string>();
    taxonomy.categories.forEach((category, i) => {
      if (names.has(category.name))
        ctx.addIssue({ code: 'custom', path: ['categories', i, 'name'], message: `"${category.name}" is used twice` });
      names.add(category.name);
      category.leaves.forEach((leaf, j) => {
        if (names.has(leaf.name))
          ctx.addIssue({
            code: 'custom',
            path: ['categories', i, 'leaves', j, 'name'],
            message: `"${leaf.name}" is used twice`,
          });
        names.add(leaf.name);
        if (keys.has(leaf.key))
          ctx.addIssue({
            code: 'custom',
            path: ['categories', i, 'leaves', j, 'key'],
            message: `key "${leaf.key}" is used twice`,
          });
        keys.add(leaf.key);
      });
      if (category.leaves.length === 0 && !category.severity) {
        ctx.addIssue({
          code: 'custom',
          path: ['categories', i, 'severity'],
          message: 'a category without leaves needs a severity',
        });
      }
    });
    // A change names categories of this version where it lands (rename's to, merge's into, split's into, definition).
    const here = new Set(taxonomy.categories.map((category) => category.name));
    taxonomy.changes.forEach((change, i) => {
      const landing =
        change.kind === 'rename'
          ? [change.to]
          : change.kind === 'merge'
            ? [change.into]
            : change.kind === 'split'
              ? change.into
              : [change.category];
      for (const name of landing)
        if (!here.has(name))
          ctx.addIssue({
            code: 'custom',
            path: ['changes', i],
            message: `"${name}" is not a category of ${taxonomy.version}`,
          });
    });
    if (taxonomy.version === 'v1' && taxonomy.changes.length > 0)
      ctx.addIssue({ code: 'custom', path: ['changes'], message: 'v1 has no earlier version to change' });
  });

/** What a label made under the previous version becomes under this one. */
export type CarryOver =
  | { kind: 'carried'; category: string; value: 0 | 1; leaf: string | null; because: string }
  | { kind: 'relabel'; because: string };

/**
 * Carries one label (a category and its 0/1 value) from the previous version to `next` by `next`'s declared changes.
 * A rename carries it as it is. A split carries a 0 to every part (the whole did not apply, so no part does) and sends
 * a 1 to be labeled again (which part?). A merge carries a 1 (some part applied, so the whole does); a 0 carries only
 * once every merged part is 0 (`siblings`: the item's other values under the old version). A changed definition
 * sends any value back. An unchanged category carries as it is; one that no longer exists and was not mapped is dropped.
 */
export function carryOver(
  label: { category: string; value: 0 | 1; leaf: string | null },
  next: Taxonomy,
  siblings: Record<string, 0 | 1 | undefined>,
): CarryOver[] {
  for (const change of next.changes) {
    if (change.kind === 'rename' && change.from === label.category) {
      return [
        {
          kind: 'carried',
          category: change.to,
          value: label.value,
          leaf: label.leaf,
          because: `renamed ${change.from} → ${change.to}`,
        },
      ];
    }
    if (change.kind === 'split' && change.from === label.category) {
      return label.value === 0
        ? change.into.map((part) => ({
            kind: 'carried' as const,
            category: part,
            value: 0 as const,
            leaf: null,
            because: `${change.from} split into ${change.into.join(', ')}; it did not apply, so no part does`,
          }))
        : [
            {
              kind: 'relabel',
              because: `${change.from} split into ${change.into.join(', ')}: which part applies needs a person`,
            },
          ];
    }
    if (change.kind === 'merge' && change.from.includes(label.category)) {
      if (label.value === 1)
        return [
          {
            kind: 'carried',
            category: change.into,
            value: 1,
            leaf: null,
            because: `${change.from.join(', ')} merged into ${change.into}`,
          },
        ];
      const others = change.from.filter((part) => part !== label.category).map((part) => siblings[part]);
      if (others.every((value) => value === 0))
        return [
          {
            kind: 'carried',
            category: change.into,
            value: 0,
            leaf: null,
            because: `${change.from.join(', ')} merged into ${change.into}; none applied`,
          },
        ];
      if (others.some((value) => value === 1)) return []; // the positive part carries the merged 1
      return [
        {
          kind: 'relabel',
          because: `${change.from.join(', ')} merged into ${change.into}, and not every part was labeled`,
        },
      ];
    }
    if (change.kind === 'definition' && change.category === label.category) {
      return [{ kind: 'relabel', because: `the definition of ${change.category} changed in ${next.version}` }];
    }
  }
  const still = next.categories.find((category) => category.name === label.category);
  if (!still) return [];
  const leaf = label.leaf && still.leaves.some((l) => l.name === label.leaf) ? label.leaf : null;
  return [
    { kind: 'carried', category: label.category, value: label.value, leaf, because: `unchanged in ${next.version}` },
  ];
}

export type Taxonomy = z.output<typeof taxonomySchema>;
export type TaxonomyCategory = Taxonomy['categories'][number];
export type TaxonomyLeaf = TaxonomyCategory['leaves'][number];

/** DESIGN.md's policy, version 1. */
export const TAXONOMY_V1: Taxonomy = taxonomySchema.parse({
  version: 'v1',
  title: 'Trust & safety policy',
  categories: [
    {
      name: 'hate_speech',
      title: 'Hate speech',
      guideline:
        'Attacks or demeans people for a protected characteristic (race, religion, ethnicity, gender, sexual orientation, disability). Quoting hate in order to condemn it is not hate speech.',
      leaves: [
        {
          name: 'targeted_harassment',
          title: 'Targeted harassment',
          severity: 'high',
          key: 't',
          guideline: 'Aimed at an identifiable person or group member.',
        },
        {
          name: 'slurs_untargeted',
          title: 'Slurs, untargeted',
          severity: 'medium',
          key: 'l',
          guideline: 'Slurs or dehumanising language not aimed at anyone in particular.',
        },
        {
          name: 'coded_language',
          title: 'Coded language',
          severity: 'medium',
          key: 'c',
          guideline: 'Dog whistles, numbers or euphemisms that stand for hateful content.',
        },
      ],
    },
    {
      name: 'nsfw',
      title: 'NSFW',
      guideline: 'Sexual or graphic content not allowed on the surface it appears on.',
      leaves: [
        {
          name: 'csam',
          title: 'Child sexual abuse material',
          severity: 'critical',
          key: 'x',
          alwaysEscalate: true,
          guideline: 'Any sexualised depiction of a minor. Always escalate; never skip without escalating.',
        },
        {
          name: 'ncii',
          title: 'Non-consensual intimate imagery',
          severity: 'high',
          key: 'i',
          guideline: 'Intimate images shared without the consent of the person shown.',
        },
        {
          name: 'graphic_violence',
          title: 'Graphic violence',
          severity: 'high',
          key: 'g',
          guideline: 'Gore, serious injury or death shown for shock.',
        },
      ],
    },
    {
      name: 'spam',
      title: 'Spam',
      guideline: 'Unwanted repetitive or commercial content, or accounts acting in concert to fake reach.',
      leaves: [
        {
          name: 'coordinated_inauthentic',
          title: 'Coordinated inauthentic behaviour',
          severity: 'high',
          key: 'o',
          guideline: 'The same message pushed by many accounts, or fake engagement.',
        },
        {
          name: 'commercial_spam',
          title: 'Commercial spam',
          severity: 'low',
          key: 'm',
          guideline: 'Unsolicited ads, scams, affiliate links.',
        },
      ],
    },
    {
      name: 'misinformation',
      title: 'Misinformation',
      severity: 'medium',
      guideline:
        'False or misleading claims of fact likely to cause harm (health, elections, emergencies). Opinion and satire are not misinformation.',
      leaves: [],
    },
  ],
});

/** The number key that toggles each category: 1 for the first. */
export function categoryKey(taxonomy: Taxonomy, category: string): string | null {
  const index = taxonomy.categories.findIndex((c) => c.name === category);
  return index < 0 ? null : String(index + 1);
}

/** The category a leaf belongs to. */
export function categoryOfLeaf(taxonomy: Taxonomy, leaf: string): TaxonomyCategory | undefined {
  return taxonomy.categories.find((category) => category.leaves.some((l) => l.name === leaf));
}

/**
 * Reads a taxonomy file's text. Throws an Error whose message names the file and the field, as a person would
 * need to fix it.
 */
export function parseTaxonomy(text: string, fileName: string): Taxonomy {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${fileName}: ${jsonSyntaxProblem(error, text)}`);
  }
  const parsed = taxonomySchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${fileName}: ${schemaProblem(parsed.error.issues[0]!)}`);
  return parsed.data;
}

export const policyFileName = (version: string) => `taxonomy-${version}.json`;

/** Orders policy versions numerically (v10 after v9). */
export const policyVersionNumber = (version: string) => Number(version.slice(1));

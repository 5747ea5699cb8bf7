/**
 * The policy taxonomy: hierarchical, multi-label, versioned. A workspace keeps each version as a file
 * (`policy/taxonomy-v1.json`); a labeling session records the version it runs under and every label records it too.
 * Version 1 is DESIGN.md's. The keyboard keys live in the file so a team that edits its policy edits its keys.
 */
import { z } from 'zod';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Keys the labeling screen keeps for itself; a leaf may not take one. */
export const RESERVED_LABEL_KEYS = ['s', 'u', 'n', '?', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

const identifier = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'names are lower-case letters, digits and _ (starting with a letter)');
const leafKey = z
  .string()
  .regex(/^[a-z]$/, 'a leaf key is one lower-case letter')
  .refine((key) => !(RESERVED_LABEL_KEYS as readonly string[]).includes(key), 'this key is reserved (s skip, u unsure, n note)');

const leafSchema = z
  .object({
    name: identifier,
    title: z.string().min(1),
    severity: z.enum(SEVERITIES),
    key: leafKey,
    guideline: z.string().default(''),
    /** Always escalated to a person, whatever a model says (csam). */
    alwaysEscalate: z.boolean().default(false),
  })
  .strict();

const categorySchema = z
  .object({
    name: identifier,
    title: z.string().min(1),
    /** A category with no leaves carries the severity itself. */
    severity: z.enum(SEVERITIES).optional(),
    guideline: z.string().default(''),
    leaves: z.array(leafSchema).default([]),
  })
  .strict();

export const taxonomySchema = z
  .object({
    version: z.string().regex(/^v[1-9][0-9]*$/, 'a policy version is v followed by a number (v1, v2, …)'),
    title: z.string().default('Policy'),
    categories: z.array(categorySchema).min(1, 'a taxonomy has at least one category').max(9, 'number keys 1–9 label categories: at most 9'),
  })
  .strict()
  .superRefine((taxonomy, ctx) => {
    const names = new Set<string>();
    const keys = new Set<string>();
    taxonomy.categories.forEach((category, i) => {
      if (names.has(category.name)) ctx.addIssue({ code: 'custom', path: ['categories', i, 'name'], message: `"${category.name}" is used twice` });
      names.add(category.name);
      category.leaves.forEach((leaf, j) => {
        if (names.has(leaf.name)) ctx.addIssue({ code: 'custom', path: ['categories', i, 'leaves', j, 'name'], message: `"${leaf.name}" is used twice` });
        names.add(leaf.name);
        if (keys.has(leaf.key)) ctx.addIssue({ code: 'custom', path: ['categories', i, 'leaves', j, 'key'], message: `key "${leaf.key}" is used twice` });
        keys.add(leaf.key);
      });
      if (category.leaves.length === 0 && !category.severity) {
        ctx.addIssue({ code: 'custom', path: ['categories', i, 'severity'], message: 'a category without leaves needs a severity' });
      }
    });
  });

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
      guideline: 'Attacks or demeans people for a protected characteristic (race, religion, ethnicity, gender, sexual orientation, disability). Quoting hate in order to condemn it is not hate speech.',
      leaves: [
        { name: 'targeted_harassment', title: 'Targeted harassment', severity: 'high', key: 't', guideline: 'Aimed at an identifiable person or group member.' },
        { name: 'slurs_untargeted', title: 'Slurs, untargeted', severity: 'medium', key: 'l', guideline: 'Slurs or dehumanising language not aimed at anyone in particular.' },
        { name: 'coded_language', title: 'Coded language', severity: 'medium', key: 'c', guideline: 'Dog whistles, numbers or euphemisms that stand for hateful content.' },
      ],
    },
    {
      name: 'nsfw',
      title: 'NSFW',
      guideline: 'Sexual or graphic content not allowed on the surface it appears on.',
      leaves: [
        { name: 'csam', title: 'Child sexual abuse material', severity: 'critical', key: 'x', alwaysEscalate: true, guideline: 'Any sexualised depiction of a minor. Always escalate; never skip without escalating.' },
        { name: 'ncii', title: 'Non-consensual intimate imagery', severity: 'high', key: 'i', guideline: 'Intimate images shared without the consent of the person shown.' },
        { name: 'graphic_violence', title: 'Graphic violence', severity: 'high', key: 'g', guideline: 'Gore, serious injury or death shown for shock.' },
      ],
    },
    {
      name: 'spam',
      title: 'Spam',
      guideline: 'Unwanted repetitive or commercial content, or accounts acting in concert to fake reach.',
      leaves: [
        { name: 'coordinated_inauthentic', title: 'Coordinated inauthentic behaviour', severity: 'high', key: 'o', guideline: 'The same message pushed by many accounts, or fake engagement.' },
        { name: 'commercial_spam', title: 'Commercial spam', severity: 'low', key: 'm', guideline: 'Unsolicited ads, scams, affiliate links.' },
      ],
    },
    {
      name: 'misinformation',
      title: 'Misinformation',
      severity: 'medium',
      guideline: 'False or misleading claims of fact likely to cause harm (health, elections, emergencies). Opinion and satire are not misinformation.',
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
    throw new Error(`${fileName}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = taxonomySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${fileName}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  return parsed.data;
}

export const policyFileName = (version: string) => `taxonomy-${version}.json`;

/** Orders policy versions numerically (v10 after v9). */
export const policyVersionNumber = (version: string) => Number(version.slice(1));

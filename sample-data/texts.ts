/**
 * Sentence templates for the synthetic platform, per language and per (hidden) true category. The violating
 * templates are written to be recognisable to a classifier and to a person, not to be graphic.
 */
import type { Random } from '../shared/random.js';

export type TrueCategory = 'none' | 'spam' | 'hate_speech' | 'nsfw' | 'misinformation';
export const LANGUAGES = { en: 50, es: 15, pt: 10, hi: 7, de: 5, fr: 5, ar: 4, id: 4 } as const;
export type Language = keyof typeof LANGUAGES;

const BENIGN: Record<Language, string[]> = {
  en: [
    'just finished my {food} and honestly it was {adj}',
    'anyone else watching the {event} tonight? {emoji}',
    'my {pet} learned a new trick today {emoji}',
    'great {event} with friends, the weather was {adj}',
    'new photos from our trip to {place} are up',
    'does anyone have tips for learning {skill}?',
    'happy birthday to my {family}, love you {emoji}',
    'the traffic in {place} today was {adj}',
    'finally fixed my bike, going for a ride to {place}',
    'reading a {adj} book about {skill} this week',
  ],
  es: [
    'qué {adj} estuvo el partido de hoy {emoji}',
    'mi {pet} no me deja dormir jaja',
    'alguien sabe dónde comprar {food} en {place}?',
    'feliz cumpleaños a mi {family} {emoji}',
  ],
  pt: [
    'que jogo {adj} hoje {emoji}',
    'meu {pet} está dormindo no sofá de novo',
    'alguém recomenda um lugar para comer {food} em {place}?',
    'parabéns para minha {family} {emoji}',
  ],
  hi: [
    'aaj ka match bahut {adj} tha {emoji}',
    'mera {pet} bahut shararti hai',
    '{place} mein {food} kahan milega?',
    'happy birthday meri {family} {emoji}',
  ],
  de: [
    'das Spiel heute war {adj} {emoji}',
    'mein {pet} schläft schon wieder',
    'wo gibt es gutes {food} in {place}?',
    'alles Gute zum Geburtstag an meine {family}',
  ],
  fr: [
    'le match de ce soir était {adj} {emoji}',
    'mon {pet} dort encore sur le canapé',
    'où trouver du bon {food} à {place} ?',
    'joyeux anniversaire à ma {family} {emoji}',
  ],
  ar: [
    'المباراة اليوم كانت رائعة {emoji}',
    'قطتي نائمة مرة أخرى',
    'أين أجد مطعم جيد في {place}؟',
    'عيد ميلاد سعيد لعائلتي {emoji}',
  ],
  id: [
    'pertandingan hari ini {adj} sekali {emoji}',
    'kucingku tidur lagi di sofa',
    'ada yang tahu tempat makan {food} di {place}?',
    'selamat ulang tahun untuk {family} {emoji}',
  ],
};

const VIOLATING: Record<Exclude<TrueCategory, 'none'>, string[]> = {
  spam: [
    'earn ${num} a day from home, DM me now {emoji}',
    'crypto giveaway!!! send 0.1 BTC get 1 BTC back {link}',
    'cheap followers and likes, best price {link}',
    'click here to claim your free gift card {link}',
  ],
  hate_speech: [
    'people like you from {place} are vermin, go back where you came from',
    'all {group} are subhuman and should be banned from this country',
    'nobody wants your kind here, {group} ruin everything',
    'i hope every one of those {group} gets what they deserve',
  ],
  nsfw: [
    'explicit pics in my bio, 18+ only {emoji}',
    'uncensored video leak, link in bio {link}',
    'hot singles near {place} want to meet you {link}',
  ],
  misinformation: [
    'BREAKING: the vaccine contains microchips that track you, share before they delete this',
    'the election in {place} was rigged by the voting machines, proof inside {link}',
    'doctors are hiding that {food} cures cancer in 3 days',
    'the flood in {place} was caused by weather weapons, wake up',
  ],
};

const FILL: Record<string, readonly string[]> = {
  food: ['pizza', 'ramen', 'tacos', 'curry', 'salad', 'pastel', 'biryani', 'croissant'],
  adj: ['amazing', 'wild', 'terrible', 'so good', 'boring', 'incredible', 'lovely'],
  event: ['game', 'concert', 'derby', 'final', 'festival', 'match'],
  pet: ['dog', 'cat', 'parrot', 'hamster', 'perro', 'gato'],
  place: ['Lisbon', 'Mumbai', 'Berlin', 'Lagos', 'Austin', 'Jakarta', 'Lyon', 'Cairo', 'Bogotá'],
  skill: ['guitar', 'python', 'chess', 'baking', 'photography'],
  family: ['sister', 'mom', 'brother', 'grandma', 'irmã', 'hermana'],
  emoji: ['🙂', '😂', '🔥', '❤️', '🎉', '👀', ''],
  group: ['immigrants', 'those people', 'foreigners', 'outsiders'],
  link: ['bit.ly/x7k2p', 'tinyurl.com/freegift', 'cheap-likes.example/buy', 'prize-claim.example'],
};

function fill(template: string, rng: Random): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) =>
    key === 'num' ? String(rng.int(2, 9) * 100) : rng.pick(FILL[key] ?? ['?']),
  );
}

export function contentText(category: TrueCategory, language: Language, rng: Random): string {
  if (category === 'none') return fill(rng.pick(BENIGN[language]), rng).trim();
  return fill(rng.pick(VIOLATING[category]), rng).trim();
}

/** The coordinated campaign reposts one message with small edits, as such campaigns do to dodge exact matching. */
export const CAMPAIGN_DOMAIN = 'boostfans.example';
export function campaignText(rng: Random): string {
  const opener = rng.pick(['🔥 GET', '🔥 Get', 'GET', '💯 Get']);
  const count = rng.pick(['10k', '10K', '10,000']);
  const closer = rng.pick(['limited offer!!', 'limited offer', 'only today!!', 'limited offer 🔥']);
  return `${opener} ${count} real followers in 24h → ${CAMPAIGN_DOMAIN}/${rng.pick(['join', 'go', 'start'])}?ref=${rng.int(100, 999)} ${closer}`;
}

/**
 * Familiar forms of English given names (Bill for William, Peggy for Margaret), so that a
 * record made when someone gave their short name still matches the one with their full name.
 * Common forms in the UK, compiled from general knowledge; a name may belong to several
 * formal names (Alex: Alexander, Alexandra).
 */
import { normaliseName } from './normalise.js';

/** Formal name → the familiar forms of it. Lower case, no accents. */
const FORMS: Readonly<Record<string, readonly string[]>> = {
  abigail: ['abi', 'abby', 'gail'],
  albert: ['al', 'bert', 'bertie'],
  alexander: ['alex', 'alec', 'sandy', 'xander', 'sasha'],
  alexandra: ['alex', 'alexa', 'sandra', 'sandy', 'lexi', 'sasha'],
  alfred: ['alf', 'alfie', 'fred', 'freddie'],
  andrew: ['andy', 'drew'],
  angela: ['angie'],
  anthony: ['tony', 'ant'],
  archibald: ['archie', 'archy'],
  arthur: ['art', 'artie'],
  barbara: ['barb', 'babs', 'barbie'],
  benjamin: ['ben', 'benny', 'benji'],
  bethany: ['beth'],
  catherine: ['kate', 'katie', 'cath', 'cathy', 'kathy', 'kat', 'kitty'],
  katherine: ['kate', 'katie', 'kath', 'kathy', 'kat', 'kitty'],
  katarzyna: ['kasia'],
  charles: ['charlie', 'chas', 'chuck'],
  charlotte: ['lottie', 'charlie', 'lotte'],
  christina: ['chris', 'tina', 'chrissie'],
  christine: ['chris', 'chrissie', 'tina'],
  christopher: ['chris', 'kit', 'topher'],
  daniel: ['dan', 'danny'],
  david: ['dave', 'davy', 'davie'],
  deborah: ['debbie', 'deb', 'debs'],
  dorothy: ['dot', 'dottie', 'dolly'],
  edward: ['ed', 'eddie', 'ted', 'teddy', 'ned'],
  eleanor: ['ellie', 'nell', 'nellie', 'elle'],
  elizabeth: ['liz', 'lizzie', 'beth', 'betty', 'bess', 'lisa', 'eliza', 'libby', 'elsie'],
  emily: ['em', 'emmy', 'millie'],
  florence: ['flo', 'florrie', 'flossie'],
  frances: ['fran', 'fanny', 'frankie'],
  francis: ['frank', 'frankie'],
  frederick: ['fred', 'freddie', 'freddy'],
  gerald: ['gerry', 'jerry'],
  gregory: ['greg'],
  harold: ['harry', 'hal'],
  henry: ['harry', 'hal', 'hank'],
  isabel: ['izzy', 'bel', 'bella'],
  isabella: ['bella', 'izzy', 'issy', 'bel'],
  jacob: ['jake'],
  james: ['jim', 'jimmy', 'jamie', 'jem'],
  jennifer: ['jenny', 'jen', 'jenna'],
  jessica: ['jess', 'jessie'],
  john: ['jack', 'johnny', 'jon'],
  jonathan: ['jon', 'jonny', 'nathan'],
  joseph: ['joe', 'joey', 'jos'],
  joshua: ['josh'],
  josephine: ['jo', 'josie'],
  joanne: ['jo'],
  kenneth: ['ken', 'kenny'],
  lawrence: ['larry', 'laurie'],
  leonard: ['len', 'lenny', 'leo'],
  margaret: ['maggie', 'meg', 'peggy', 'peg', 'maisie', 'madge', 'greta', 'rita'],
  matthew: ['matt', 'matty'],
  michael: ['mike', 'mick', 'mickey', 'mikey'],
  nicholas: ['nick', 'nicky'],
  nicola: ['nicky', 'nikki'],
  patricia: ['pat', 'patty', 'trish', 'tricia'],
  patrick: ['pat', 'paddy'],
  peter: ['pete'],
  philip: ['phil', 'pip'],
  rebecca: ['becky', 'becca', 'bex'],
  richard: ['rich', 'rick', 'ricky', 'dick', 'richie'],
  robert: ['rob', 'bob', 'bobby', 'robbie', 'bert'],
  ronald: ['ron', 'ronnie'],
  samantha: ['sam', 'sammy'],
  samuel: ['sam', 'sammy'],
  sarah: ['sally', 'sadie'],
  stephen: ['steve', 'stevie'],
  steven: ['steve', 'stevie'],
  susan: ['sue', 'susie', 'suzy'],
  theodore: ['theo', 'ted', 'teddy'],
  thomas: ['tom', 'tommy'],
  timothy: ['tim', 'timmy'],
  victoria: ['vicky', 'vicki', 'tori'],
  william: ['bill', 'billy', 'will', 'willie', 'liam'],
  zachary: ['zach', 'zack'],
};

/** Each name (formal or familiar) → the formal names it can stand for, itself included when formal. */
const FORMAL_OF: ReadonlyMap<string, readonly string[]> = (() => {
  const out = new Map<string, string[]>();
  const add = (name: string, formal: string) => {
    const list = out.get(name) ?? [];
    if (!list.includes(formal)) list.push(formal);
    out.set(name, list);
  };
  for (const [formal, forms] of Object.entries(FORMS)) {
    add(formal, formal);
    for (const form of forms) add(normaliseName(form), formal);
  }
  return out;
})();

/**
 * True when `a` and `b` (normalised given names) are different forms of one name: one is a
 * familiar form of the other (Bill, William), or both are forms of the same formal name
 * (Bill, Will). False for equal names: that is not a nickname match.
 */
export function isNicknamePair(a: string, b: string): boolean {
  if (a === b) return false;
  const fa = FORMAL_OF.get(a);
  const fb = FORMAL_OF.get(b);
  if (fa === undefined || fb === undefined) return false;
  return fa.some((f) => fb.includes(f));
}

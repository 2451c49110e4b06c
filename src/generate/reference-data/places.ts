/**
 * Places for synthetic addresses: towns in West Yorkshire with their postcode districts, and
 * street names. Postcodes are built to the UK format (outward code, space, digit and two
 * letters), so they look right but are not checked against real addresses. Telephone numbers
 * come from the ranges Ofcom keeps for drama, which are never allocated to real lines.
 *
 * @see https://www.ofcom.org.uk/phones-and-broadband/phone-numbers/numbers-for-drama
 */

/** A town, its postcode area and the districts used for it. */
export interface Town {
  readonly key: string;
  readonly name: string;
  /** Postcode area letters, e.g. `LS`. */
  readonly area: string;
  /** District numbers of the area used for addresses in this town. */
  readonly districts: readonly number[];
  /** How many people of the synthetic population live here, relatively. */
  readonly weight: number;
}

/** Towns the synthetic population lives in. */
export const TOWNS: readonly Town[] = [
  { key: 'leeds', name: 'LEEDS', area: 'LS', districts: [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 28], weight: 35 },
  { key: 'bradford', name: 'BRADFORD', area: 'BD', districts: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15], weight: 24 },
  { key: 'wakefield', name: 'WAKEFIELD', area: 'WF', districts: [1, 2, 3, 4, 5, 6], weight: 15 },
  { key: 'halifax', name: 'HALIFAX', area: 'HX', districts: [1, 2, 3, 4, 5, 6], weight: 11 },
  { key: 'huddersfield', name: 'HUDDERSFIELD', area: 'HD', districts: [1, 2, 3, 4, 5, 7, 8], weight: 15 },
];

/** The first word of street names. */
export const STREET_STEMS: readonly string[] = [
  'Church', 'Station', 'Park', 'Victoria', 'Albert', 'Manor', 'Mill', 'Oak', 'Beech', 'Meadow', 'Grange', 'Kings',
  'Queens', 'Westfield', 'Moor', 'Hill', 'Springfield', 'Chapel', 'Richmond', 'Woodland', 'Cross', 'Green', 'Bank',
  'Moorland', 'Ash', 'Elm', 'Rose', 'Cliffe', 'Fern', 'Holly', 'Laburnum', 'Lister', 'Priestley', 'Brontë', 'Aire',
  'Calder', 'Colne', 'Wharfe', 'Pennine', 'Heath', 'Thornhill', 'Kirkstall', 'Headingley', 'Roundhay', 'Saltaire',
];

/** The second word of street names. */
export const STREET_SUFFIXES: readonly string[] = [
  'Road', 'Street', 'Lane', 'Avenue', 'Close', 'Drive', 'Grove', 'Crescent', 'Way', 'Terrace', 'Gardens', 'Court',
  'Place', 'View', 'Mount', 'Rise', 'Walk',
];

/** Letters allowed in the last two characters of a postcode's inward code (not C, I, K, M, O, V). */
export const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

/** Ofcom drama landline ranges (area code with the first digits), each followed by three digits. */
export const DRAMA_LANDLINES: readonly string[] = ['0113 496 0', '0114 496 0', '01632 960'];
/** Ofcom drama mobile range, followed by three digits. */
export const DRAMA_MOBILE = '07700 900';

/**
 * Names for synthetic people: common given names and surnames found in England, from several
 * family backgrounds, and the short forms people use for themselves. Invented combinations:
 * any resemblance to a real person is chance.
 */

/** Given names by sex. */
export const GIVEN_NAMES: Readonly<Record<'male' | 'female', readonly string[]>> = {
  male: [
    'Oliver', 'George', 'Harry', 'Jack', 'Jacob', 'Noah', 'Charlie', 'Thomas', 'Oscar', 'William', 'James', 'Henry',
    'Leo', 'Alfie', 'Joshua', 'Freddie', 'Archie', 'Ethan', 'Isaac', 'Alexander', 'Joseph', 'Edward', 'Samuel', 'Max',
    'Daniel', 'Arthur', 'Lucas', 'Mohammed', 'Adam', 'Benjamin', 'David', 'John', 'Michael', 'Paul', 'Mark', 'Andrew',
    'Peter', 'Richard', 'Robert', 'Stephen', 'Christopher', 'Anthony', 'Kevin', 'Gary', 'Ian', 'Keith', 'Graham', 'Colin',
    'Raj', 'Imran', 'Arjun', 'Hamza', 'Bilal', 'Tomasz', 'Piotr', 'Kwame', 'Chinedu', 'Wei', 'Kieran', 'Declan', 'Rhys',
  ],
  female: [
    'Olivia', 'Amelia', 'Isla', 'Ava', 'Emily', 'Sophia', 'Grace', 'Mia', 'Poppy', 'Ella', 'Lily', 'Evie', 'Isabella',
    'Freya', 'Charlotte', 'Florence', 'Jessica', 'Daisy', 'Ruby', 'Alice', 'Sophie', 'Chloe', 'Hannah', 'Lucy', 'Emma',
    'Sarah', 'Rebecca', 'Laura', 'Rachel', 'Helen', 'Karen', 'Susan', 'Margaret', 'Patricia', 'Elizabeth', 'Catherine',
    'Jennifer', 'Deborah', 'Julie', 'Angela', 'Janet', 'Pauline', 'Maureen', 'Joan', 'Dorothy', 'Eileen', 'Sandra',
    'Aisha', 'Fatima', 'Priya', 'Ayesha', 'Zainab', 'Agnieszka', 'Katarzyna', 'Abena', 'Ngozi', 'Mei', 'Siobhan', 'Bethan',
  ],
};

/** Surnames. */
export const FAMILY_NAMES: readonly string[] = [
  'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright', 'Thompson',
  'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke', 'Harrison', 'Lewis', 'Hughes',
  'Edwards', 'Turner', 'Hill', 'Moore', 'Clark', 'Cooper', 'Harris', 'Ward', 'Martin', 'Baker', 'King', 'Allen',
  'Morris', 'Wilkinson', 'Lee', 'Bell', 'Shaw', 'Holmes', 'Atkinson', 'Barker', 'Hirst', 'Lockwood', 'Sykes', 'Brook',
  'Greenwood', 'Crowther', 'Haigh', 'Ackroyd', 'Pickles', 'Sutcliffe', 'Ramsden', 'Firth', 'Booth', 'Whiteley',
  'Dyson', 'Mitchell', 'Kelly', 'Murphy', "O'Brien", 'McDonald', 'Campbell', 'Stewart', 'Patel', 'Khan', 'Hussain',
  'Ahmed', 'Ali', 'Begum', 'Akhtar', 'Iqbal', 'Mahmood', 'Shah', 'Singh', 'Kaur', 'Sharma', 'Chowdhury', 'Rahman',
  'Kowalski', 'Nowak', 'Wiśniewski', 'Mensah', 'Okafor', 'Adeyemi', 'Chen', 'Wang', 'Li', 'Nguyen', 'Fernandes',
  'da Silva', 'Ashworth-Jones', 'Fitzgerald', 'Llewellyn',
];

/** Familiar forms that a person may give at one service and not at another. */
export const SHORT_FORMS: Readonly<Record<string, string>> = {
  William: 'Bill', Robert: 'Bob', Richard: 'Dick', James: 'Jim', Thomas: 'Tom', Edward: 'Ted', Michael: 'Mike',
  Christopher: 'Chris', Anthony: 'Tony', Stephen: 'Steve', Alexander: 'Alex', Benjamin: 'Ben', Samuel: 'Sam',
  Joseph: 'Joe', Daniel: 'Dan', Andrew: 'Andy', Peter: 'Pete', David: 'Dave', Joshua: 'Josh', Frederick: 'Fred',
  Elizabeth: 'Liz', Margaret: 'Maggie', Catherine: 'Kate', Jennifer: 'Jenny', Patricia: 'Pat', Rebecca: 'Becky',
  Deborah: 'Debbie', Susan: 'Sue', Isabella: 'Bella', Charlotte: 'Lottie', Katarzyna: 'Kasia', Dorothy: 'Dot',
};

/** Name prefixes by sex, with how often each is used. */
export const PREFIXES: Readonly<Record<'male' | 'female', readonly (readonly [string, number])[]>> = {
  male: [['Mr', 95], ['Dr', 5]],
  female: [['Mrs', 45], ['Ms', 30], ['Miss', 20], ['Dr', 5]],
};

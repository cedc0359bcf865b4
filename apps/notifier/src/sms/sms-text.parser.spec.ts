import { firstWord, keyword, matchedWords, parseOrderNumber, parseRating, parseRsvp, parseYesNo } from './sms-text.parser';

describe('parseYesNo', () => {
  it.each([
    ['yes', 'yes'], ['YES', 'yes'], ['Y', 'yes'], ['yes!', 'yes'], ['Yes please', 'yes'], ['yes please!!', 'yes'], ['CONFIRM', 'yes'],
    ['Confirmed, thanks', 'yes'], ['yep 👍', 'yes'], ['ok see you then', 'yes'], ['Yes, thank you so much', 'yes'],
    ['no', 'no'], ['NO', 'no'], ['No thanks', 'no'], ['no thank you', 'no'], ['CANCEL', 'no'], ['nope', 'no'], ['no sorry, can\'t make it', 'no'],
  ])('%j → %s', (text, answer) => {
    expect(parseYesNo(text)).toBe(answer);
  });

  it.each(['yes but can we move it to 5pm?', 'no idea what this is', 'maybe', 'why?', '', 'noon works', 'yesterday'])('%j is not a clean answer', (text) => {
    expect(parseYesNo(text)).toBeNull();
  });
});

describe('parseRsvp', () => {
  it.each([
    ["I'm coming", true, 1],
    ['Im coming!', true, 1],
    ['count me in', true, 1],
    ['+2', true, 3],
    ['+2 guests', true, 3],
    ['yes +1', true, 2],
    ['plus two guests', true, 3],
    ['me plus 1', true, 2],
    ['me and 2 others', true, 3],
    ['Me and three friends', true, 4],
    ["I'm coming with 2 kids", true, 3],
    ['me and my wife', true, 2],
    ['me and a friend', true, 2],
    ['2 adults 1 kid', true, 3],
    ['2 adults, 3 children', true, 5],
    ['one adult and two kids', true, 3],
    ['we are 4', true, 4],
    ['party of 5', true, 5],
    ['4 of us', true, 4],
    ["we'll be there", true, 2],
    ["can't make it", false, 0],
    ["Can’t make it, sorry", false, 0],
    ['cannot come', false, 0],
    ["won't be able to attend", false, 0],
    ['not coming', false, 0],
    ['no', false, 0],
  ])('%j → attending %s, %i', (text, attending, headCount) => {
    expect(parseRsvp(text)).toEqual({ attending, headCount });
  });

  it.each(['where is my order 12345', 'what time does it start?', 'SAVE10', '5', 'hello'])('%j is no RSVP', (text) => {
    expect(parseRsvp(text)).toBeNull();
  });
});

describe('parseOrderNumber', () => {
  it.each([
    ['TRACK 12345', '12345'],
    ['track 12345', '12345'],
    ['where is my order 12345', '12345'],
    ['Where is my order 12345?', '12345'],
    ['order #A-12345', 'A-12345'],
    ['Order number: A-12345.', 'A-12345'],
    ['can you track my package ZX-9981-B please', 'ZX-9981-B'],
    ["where's #778899", '778899'],
  ])('%j → %s', (text, order) => {
    expect(parseOrderNumber(text)).toBe(order);
  });

  it.each(['where is my order?', 'I want to order 2 pizzas', 'hello 12345', 'track', '4 stars'])('%j has no order number', (text) => {
    expect(parseOrderNumber(text)).toBeNull();
  });
});

describe('parseRating', () => {
  it.each([
    ['5', 5, ''],
    ['4 stars', 4, ''],
    ['4 stars great service', 4, 'great service'],
    ['5/5 loved it', 5, 'loved it'],
    ['3 - the soup was cold', 3, 'the soup was cold'],
    ['5! amazing', 5, 'amazing'],
    ['four stars', 4, ''],
    ['2 out of 5, slow delivery', 2, 'slow delivery'],
    ['★★★★ nice staff', 4, 'nice staff'],
    ["I'd give you 4 stars", 4, "I'd give you 4 stars"],
    ['Rating: 3', 3, 'Rating: 3'],
  ])('%j → %i with %j', (text, rating, comment) => {
    expect(parseRating(text)).toEqual({ rating, comment });
  });

  it.each(['2 adults 1 kid', '10', '0 stars', 'order 12345', '5 people', 'great service', '+2'])('%j is no rating', (text) => {
    expect(parseRating(text)).toBeNull();
  });
});

describe('keywords', () => {
  it.each([
    ['STOP', 'stop'], ['stop', 'stop'], ['Stop.', 'stop'], ['UNSUBSCRIBE', 'stop'], ['quit', 'stop'], ['End', 'stop'], ['STOPALL', 'stop'],
    ['START', 'start'], ['unstop', 'start'], ['HELP', 'help'], ['info', 'help'], ['Cancel', 'cancel'], ['YES', 'yes'],
  ])('%j → %s', (text, k) => {
    expect(keyword(text)).toBe(k);
  });

  it.each(['stop sending me these', 'please help me', 'help!!! fire', 'start time?'])('%j is not a bare keyword', (text) => {
    expect(['stop', 'start', 'cancel', 'yes']).not.toContain(keyword(text));
  });

  it('finds coupon keywords and emergency words as whole words only', () => {
    expect(firstWord('Save10 please')).toBe('save10');
    expect(matchedWords('There is a FIRE in the kitchen!', ['fire', 'emergency', 'gas leak'])).toEqual(['fire']);
    expect(matchedWords('smells like a gas leak', ['fire', 'gas leak'])).toEqual(['gas leak']);
    expect(matchedWords('we were fired up about the show', ['fire'])).toEqual([]);
  });
});

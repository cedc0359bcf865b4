import { twilioSignature, validTwilioSignature } from './twilio-signature';

// The example from Twilio's security documentation and helper libraries.
const TOKEN = '12345';
const URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS: Array<[string, string]> = [
  ['CallSid', 'CA1234567890ABCDE'],
  ['Caller', '+14158675309'],
  ['Digits', '1234'],
  ['From', '+14158675309'],
  ['To', '+18005551212'],
];

describe('Twilio request signature', () => {
  it('matches the value Twilio documents for its example request', () => {
    expect(twilioSignature(TOKEN, URL, PARAMS)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('does not depend on the order the fields arrived in', () => {
    expect(validTwilioSignature(TOKEN, URL, [...PARAMS].reverse(), 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(true);
  });

  it.each([
    ['another token', 'abcde', URL, PARAMS],
    ['another URL (a proxy rewrote the host)', TOKEN, URL.replace('mycompany.com', 'internal:3000'), PARAMS],
    ['a changed field', TOKEN, URL, PARAMS.map(([k, v]) => [k, k === 'Digits' ? '9999' : v] as [string, string])],
    ['an added field', TOKEN, URL, [...PARAMS, ['Body', 'hi']] as Array<[string, string]>],
  ])('refuses %s', (_what, token, url, params) => {
    expect(validTwilioSignature(token, url, params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(false);
  });

  it('refuses a signature of another length without throwing', () => {
    expect(validTwilioSignature(TOKEN, URL, PARAMS, 'short')).toBe(false);
  });
});

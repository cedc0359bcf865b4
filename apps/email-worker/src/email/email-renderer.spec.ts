import { EmailSendInput, OrderConfirmationData } from '@jobdesk/contracts';
import { EmailRenderer } from './email-renderer';

function order(data: Partial<OrderConfirmationData> = {}): EmailSendInput {
  return EmailSendInput.parse({
    to: 'ada@example.com',
    template: 'order-confirmation',
    data: {
      order_id: 'ORD-1042',
      customer_name: 'Ada Lovelace',
      items: [
        { name: 'Difference engine gear', quantity: 3, unit_price: 12.5 },
        { name: 'Punched card', quantity: 10, unit_price: 0.25 },
      ],
      ...data,
    },
  });
}
const orderData = (input: EmailSendInput) => (input as { data: OrderConfirmationData }).data;
const money = (n: number, currency = 'USD') => new Intl.NumberFormat('en', { style: 'currency', currency }).format(n);

describe('EmailRenderer', () => {
  const renderer = new EmailRenderer();

  it('puts the order id in the subject', () => {
    const input = order();

    const mail = renderer.render(input);

    expect(mail.subject).toContain(orderData(input).order_id);
  });

  it('shows the total of every line in both parts', () => {
    const input = order();
    const total = orderData(input).items.reduce((sum, i) => sum + i.quantity * i.unit_price, 0);

    const mail = renderer.render(input);

    expect(mail.text).toContain(`Total: ${money(total)}`);
    expect(mail.html).toContain(money(total));
  });

  it('formats amounts in the order\'s currency', () => {
    const input = order({ currency: 'EUR', items: [{ name: 'Widget', quantity: 2, unit_price: 7 }] });

    const mail = renderer.render(input);

    expect(mail.text).toContain(`Total: ${money(14, 'EUR')}`);
  });

  it('escapes markup in the customer\'s name in the HTML part', () => {
    const name = '<script>alert("x")</script>';

    const mail = renderer.render(order({ customer_name: name }));

    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');
  });

  it('keeps the customer\'s name as written in the text part', () => {
    const name = '<script>alert("x")</script> & Sons';

    const mail = renderer.render(order({ customer_name: name }));

    expect(mail.text).toContain(`Hello ${name},`);
  });

  it('includes the shipping address only when there is one', () => {
    const address = '12 St James\'s Square, London';

    const withAddress = renderer.render(order({ shipping_address: address }));
    const without = renderer.render(order());

    expect(withAddress.text).toContain(address);
    expect(without.text).not.toContain('shipped to');
  });

  it('passes a literal email through as given', () => {
    const input = EmailSendInput.parse({ to: 'ada@example.com', subject: 'Hi <b>', html: '<p>hello</p>' });

    const mail = renderer.render(input);

    expect(mail).toEqual({ subject: 'Hi <b>', text: undefined, html: '<p>hello</p>' });
  });
});

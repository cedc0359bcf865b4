/** Order confirmation, as Handlebars sources (HTML and plain text parts). */
export const orderConfirmation = {
  subject: 'Your order {{order_id}} is confirmed',
  text: `Hello {{customer_name}},

thank you for your order {{order_id}}. Here is what you ordered:

{{#each items}}
- {{quantity}} × {{name}} at {{money unit_price}} = {{money (times quantity unit_price)}}
{{/each}}

Total: {{money total}}
{{#if shipping_address}}

It will be shipped to:
{{shipping_address}}
{{/if}}
`,
  html: `<!doctype html>
<html><body style="font-family: sans-serif; color: #222">
<p>Hello {{customer_name}},</p>
<p>thank you for your order <strong>{{order_id}}</strong>.</p>
<table cellpadding="6" style="border-collapse: collapse">
<thead><tr><th align="left">Item</th><th align="right">Qty</th><th align="right">Price</th><th align="right">Subtotal</th></tr></thead>
<tbody>
{{#each items}}<tr><td>{{name}}</td><td align="right">{{quantity}}</td><td align="right">{{money unit_price}}</td><td align="right">{{money (times quantity unit_price)}}</td></tr>
{{/each}}</tbody>
<tfoot><tr><td colspan="3" align="right"><strong>Total</strong></td><td align="right"><strong>{{money total}}</strong></td></tr></tfoot>
</table>
{{#if shipping_address}}<p>It will be shipped to:<br>{{shipping_address}}</p>{{/if}}
</body></html>
`,
};

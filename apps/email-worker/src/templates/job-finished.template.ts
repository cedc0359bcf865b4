/** Sent by the notifier to a job's email target when the job ends. */
export const jobFinished = {
  subject: 'Job {{job_id}} {{status}}',
  text: `Your {{job_type}} job {{job_id}} {{status}}.
{{#if result_url}}

The result: {{result_url}}
{{/if}}
{{#if error}}

What went wrong: {{error.code}}: {{error.message}}
{{/if}}
`,
  html: `<!doctype html>
<html><body style="font-family: sans-serif; color: #222">
<p>Your <strong>{{job_type}}</strong> job <code>{{job_id}}</code> <strong>{{status}}</strong>.</p>
{{#if result_url}}<p><a href="{{result_url}}">See the result</a></p>{{/if}}
{{#if error}}<p>What went wrong: <code>{{error.code}}</code>: {{error.message}}</p>{{/if}}
</body></html>
`,
};

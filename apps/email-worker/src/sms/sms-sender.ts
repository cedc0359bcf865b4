import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';

export interface SmsResult {
  ok: boolean;
  /** Worth trying again later (429, 5xx, network). */
  retryable: boolean;
  status?: number;
  sid?: string;
  providerStatus?: string;
  error?: string;
}

/** Port: send one text message. */
export abstract class SmsSender {
  /** `from`: the sender number; SMS_FROM when absent. */
  abstract send(to: string, body: string, signal?: AbortSignal, from?: string): Promise<SmsResult>;
}

/**
 * Twilio's REST API shape: POST {base}/2010-04-01/Accounts/{sid}/Messages.json, form fields
 * To, From, Body, HTTP basic auth with the account SID and auth token.
 */
@Injectable()
export class TwilioSmsSender extends SmsSender {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  async send(to: string, body: string, signal?: AbortSignal, from?: string): Promise<SmsResult> {
    const { SMS_BASE_URL, SMS_ACCOUNT_SID, SMS_AUTH_TOKEN, SMS_FROM, SMS_TIMEOUT_MS } = this.config;
    if (!SMS_ACCOUNT_SID || !SMS_AUTH_TOKEN || !SMS_FROM) return { ok: false, retryable: false, error: 'SMS is not configured (SMS_ACCOUNT_SID, SMS_AUTH_TOKEN, SMS_FROM)' };
    const url = new URL(`2010-04-01/Accounts/${encodeURIComponent(SMS_ACCOUNT_SID)}/Messages.json`, SMS_BASE_URL.endsWith('/') ? SMS_BASE_URL : `${SMS_BASE_URL}/`);
    const timeout = AbortSignal.timeout(SMS_TIMEOUT_MS);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${SMS_ACCOUNT_SID}:${SMS_AUTH_TOKEN}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ To: to, From: from ?? SMS_FROM, Body: body }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      const text = (await res.text()).slice(0, 4096);
      let json: { sid?: string; status?: string; message?: string; code?: number } = {};
      try {
        json = JSON.parse(text);
      } catch {
        /* not JSON: keep the text for the error */
      }
      if (res.ok) return { ok: true, retryable: false, status: res.status, sid: json.sid, providerStatus: json.status };
      const error = `provider answered ${res.status}${json.code ? ` (code ${json.code})` : ''}: ${json.message ?? text.slice(0, 200)}`;
      return { ok: false, retryable: res.status === 429 || res.status >= 500, status: res.status, error };
    } catch (e) {
      return fetchFailure(e as Error & { cause?: { code?: string; message?: string } });
    }
  }
}

/**
 * Why fetch threw, and whether trying later can help: a network error (it carries a code:
 * ECONNREFUSED, ETIMEDOUT, UND_ERR_…) or our timeout can pass; a request fetch will never make
 * (SMS_BASE_URL on a port the Fetch standard forbids, an unsupported scheme) cannot, and its
 * reason lives in `cause.message` ("bad port"), which "fetch failed" alone hid.
 */
export function fetchFailure(err: Error & { cause?: { code?: string; message?: string } }): SmsResult {
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return { ok: false, retryable: true, error: `no answer in time (${err.message})` };
  const cause = err.cause;
  if (cause?.code) return { ok: false, retryable: true, error: `${cause.code}${cause.message ? `: ${cause.message}` : ''}` };
  return { ok: false, retryable: false, error: `${err.message}${cause?.message ? `: ${cause.message}` : ''} (check SMS_BASE_URL)` };
}

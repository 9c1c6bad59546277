/** The HTTP request API Gateway received, rebuilt from a queue message. */
export interface ReplayRequest {
  method: string;
  /** Path without stage, e.g. `/webhook/stripe`. */
  path: string;
  /** Query pairs in order; a key may repeat. */
  query: [string, string][];
  /**
   * The query string exactly as sent, without `?`, when the gateway had it: the replay uses it
   * as it is (a signature may cover its spelling); otherwise it rebuilds one from `query`.
   */
  rawQuery?: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The exact body bytes. */
  body: Buffer;
  sourceIp?: string;
  requestId?: string;
  /** When API Gateway received the request, epoch ms. */
  receivedAt?: number;
  domainName?: string;
  stage?: string;
}

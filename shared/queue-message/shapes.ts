/** The message formats the worker decodes (README "Queue message formats"). */
export type MessageShape = 'rest-envelope-v1' | 'http-api-v2-framed' | 'http-api-v2' | 'legacy-v1' | 'legacy-v2';

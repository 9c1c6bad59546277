import type { QueueRoute } from '../../../shared/queue-message/routes.ts';

/**
 * The route table's ordering keys as the REST request template's `$orderingKeys` line: a VTL
 * map from route path to its parts, each a list of [kind, name] sources. The template must hold
 * exactly this line, so the table stays the one place a key is declared.
 */
export function restOrderingKeysLine(routes: readonly QueueRoute[]): string {
  const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
  const entries = routes
    .filter((route) => route.queued !== false && route.orderingKey?.length)
    .map((route) => {
      const parts = route.orderingKey!.map((part) => `[${part.map((source) => {
        const [kind, name] = 'header' in source ? ['header', source.header] : 'json' in source ? ['json', source.json] : ['form', source.form];
        return `[${quote(kind)}, ${quote(name)}]`;
      }).join(', ')}]`);
      return `"${route.path}": [${parts.join(', ')}]`;
    });
  return `#set($orderingKeys = {${entries.join(', ')}})##`;
}

/**
 * The searchset Bundle a search answers with: `total`, absolute `self`/`first`/`previous`/`next`/`last` links that
 * replay the same query (so a client can follow `next` to the end), and a `fullUrl` on every entry.
 * https://hl7.org/fhir/R4/search.html#paging, https://hl7.org/fhir/R4/bundle.html#bundle-unique.
 */
import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import type { SearchQuery } from '../store/parseSearchQuery';
import type { ScopedSearchPage } from './ScopedRepository';

/** `baseUrl/Type/id` for a stored resource. */
export function fullUrlOf(baseUrl: string, resource: Resource): string | undefined {
  return resource.id ? `${baseUrl}/${resource.resourceType}/${resource.id}` : undefined;
}

function pageUrl(baseUrl: string, query: SearchQuery, offset: number): string {
  const params = new URLSearchParams(query.echo);
  params.set('_count', String(query.count));
  if (offset > 0) params.set('_offset', String(offset));
  return `${baseUrl}/${query.resourceType}?${params.toString()}`;
}

/** Paging links for `query` when the whole result has `total` matches. */
export function pagingLinks(baseUrl: string, query: SearchQuery, total: number): BundleLink[] {
  const links: BundleLink[] = [{ relation: 'self', url: pageUrl(baseUrl, query, query.offset) }];
  const size = query.count;
  if (size === 0) return links;
  const lastOffset = total > 0 ? Math.floor((total - 1) / size) * size : 0;
  links.push({ relation: 'first', url: pageUrl(baseUrl, query, 0) });
  if (query.offset > 0) {
    links.push({
      relation: 'previous',
      url: pageUrl(baseUrl, query, Math.max(0, Math.min(query.offset, total) - size)),
    });
  }
  if (query.offset + size < total) links.push({ relation: 'next', url: pageUrl(baseUrl, query, query.offset + size) });
  links.push({ relation: 'last', url: pageUrl(baseUrl, query, lastOffset) });
  return links;
}

/** Builds the searchset Bundle for one page of results. */
export function searchBundle(baseUrl: string, query: SearchQuery, page: ScopedSearchPage): Bundle {
  const entry: BundleEntry[] = [
    ...page.matches.map((resource) => ({
      fullUrl: fullUrlOf(baseUrl, resource),
      resource,
      search: { mode: 'match' as const },
    })),
    ...page.included.map((resource) => ({
      fullUrl: fullUrlOf(baseUrl, resource),
      resource,
      search: { mode: 'include' as const },
    })),
  ];
  if (page.omittedIncludes > 0) {
    entry.push({
      resource: {
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'warning',
            code: 'suppressed',
            details: {
              text: `${page.omittedIncludes} included resource(s) left out: the access token's scopes do not cover them`,
            },
          },
        ],
      },
      search: { mode: 'outcome' },
    });
  }
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(query.total ? { total: page.total } : {}),
    link: pagingLinks(baseUrl, query, page.total),
    ...(entry.length > 0 ? { entry } : {}),
  };
}

// A page on another origin than the API, using it as frontends do: plain fetch, Apollo Client
// with its persisted-queries link (hashed queries over GET), and a Relay environment that
// paginates a @connection and refetches a @refetchable fragment by persisted query id.
// The results land in window.stakegraph, which the test reads.
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import {
  Environment,
  Network,
  RecordSource,
  Store,
  fetchQuery,
  getSelector,
} from "relay-runtime";

import AppQuery from "../relay/src/__generated__/AppQuery.graphql.js";
import AppInvestorPaginationQuery from "../relay/src/__generated__/AppInvestorPaginationQuery.graphql.js";
import AppInvestmentRefetchQuery from "../relay/src/__generated__/AppInvestmentRefetchQuery.graphql.js";
import App_investor from "../relay/src/__generated__/App_investor.graphql.js";
import App_investment from "../relay/src/__generated__/App_investment.graphql.js";

const params = new URLSearchParams(location.search);
const api = params.get("api");
const relayApi = params.get("relayApi");
const writeKey = params.get("key");
const BEFORE_ANYTHING = "2000-01-01T00:00:00Z";
const MOONSHOT = 'query FetchMoonshot { organization(slug: "moonshot-ai") { name } }';

async function sha256(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function post(url, body, headers = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { response, body: await response.json() };
}

async function plainFetch() {
  const query = await post(api, { query: MOONSHOT });
  const create = `mutation Create($input: OrganizationCreateInput!) {
    organizationCreate(input: $input) { organization { id slug } userErrors { code } }
  }`;
  const input = { slug: `browser-${Date.now()}`, name: "Made in a browser", kinds: ["STARTUP"] };
  const keyed = { Authorization: `Bearer ${writeKey}`, "Idempotency-Key": crypto.randomUUID() };
  const first = await post(api, { query: create, variables: { input } }, keyed);
  const replay = await post(api, { query: create, variables: { input } }, keyed);
  const duplicate = await post(
    api,
    { query: create, variables: { input } },
    { Authorization: `Bearer ${writeKey}`, "Idempotency-Key": crypto.randomUUID() },
  );

  const apqQuery = `query FetchApq { organization(slug: "alibaba") { name } } # ${Date.now()}`;
  const hash = await sha256(apqQuery);
  const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
  const unknown = await post(api, { extensions });
  const registered = await post(api, { query: apqQuery, extensions });
  const get = await fetch(`${api}?extensions=${encodeURIComponent(JSON.stringify(extensions))}`);
  return {
    query: query.body,
    executor: query.response.headers.get("X-Stakegraph-Executor"),
    created: first.body,
    replayed: replay.body,
    duplicate: duplicate.body,
    apqUnknown: unknown.body,
    apqRegistered: registered.body,
    apqGet: await get.json(),
    apqGetCacheControl: get.headers.get("Cache-Control"),
  };
}

async function apollo() {
  const makeClient = (headers) =>
    new ApolloClient({
      cache: new InMemoryCache(),
      link: new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
        new HttpLink({ uri: api, headers }),
      ),
    });
  const query = gql`
    query ApolloMoonshot${Date.now()} {
      organization(slug: "moonshot-ai") {
        id
        name
        investments(first: 1) { totalCount }
      }
    }
  `;
  const first = await makeClient({}).query({ query });
  // A second client, its cache empty: the server knows the hash now, the GET alone answers.
  const second = await makeClient({}).query({ query });
  const past = await makeClient({ "Stakegraph-As-Of": BEFORE_ANYTHING }).query({ query });
  return { first: first.data, second: second.data, past: past.data };
}

function relayEnvironment(asOf) {
  const network = Network.create(async (request, variables) => {
    const headers = { "Content-Type": "application/json" };
    if (asOf) headers["Stakegraph-As-Of"] = asOf;
    const { body } = await post(relayApi, { doc_id: request.id, variables }, headers);
    return body;
  });
  return new Environment({ network, store: new Store(new RecordSource()) });
}

async function relay() {
  const environment = relayEnvironment(null);
  const data = await fetchQuery(environment, AppQuery, { slug: "alibaba" }).toPromise();
  const investor = getSelector(App_investor, data.organization);
  const firstPage = environment.lookup(investor).data;
  const pageInfo = firstPage.investments.pageInfo;
  await fetchQuery(environment, AppInvestorPaginationQuery, {
    id: firstPage.id,
    count: 2,
    cursor: pageInfo.endCursor,
  }).toPromise();
  // The connection handler merged the second page into the first in the store.
  const merged = environment.lookup(investor).data;
  const investmentId = merged.investments.edges[0].node.id;
  const now = await fetchQuery(environment, AppInvestmentRefetchQuery, {
    id: investmentId,
  }).toPromise();
  const investment = environment.lookup(getSelector(App_investment, now.node)).data;
  // The same generated refetch query, in an environment reading recorded time.
  const past = await fetchQuery(relayEnvironment(BEFORE_ANYTHING), AppInvestmentRefetchQuery, {
    id: investmentId,
  }).toPromise();
  return {
    firstPage: firstPage.investments.edges.map((e) => e.node.id),
    hadNextPage: pageInfo.hasNextPage,
    merged: merged.investments.edges.map((e) => e.node.id),
    investment: { id: investment.id, investor: investment.investor.slug },
    pastNode: past.node,
  };
}

async function run() {
  const results = {};
  for (const [name, scenario] of Object.entries({ plainFetch, apollo, relay })) {
    try {
      results[name] = await scenario();
    } catch (error) {
      results[name] = { error: `${error.name}: ${error.message}` };
    }
  }
  return results;
}

run().then((results) => {
  window.stakegraph = results;
  document.getElementById("out").textContent = JSON.stringify(results, null, 2);
});

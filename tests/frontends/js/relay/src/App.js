// The fragments and queries of a Relay app, compiled by relay-compiler against the committed
// SDL (graphql/schema.graphql). Only the compiler reads this file; the browser test imports
// the artifacts it generates into relay/src/__generated__/.
const graphql = String.raw;

export const investor = graphql`
  fragment App_investor on Organization
  @refetchable(queryName: "AppInvestorPaginationQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 2 }
    cursor: { type: "String" }
  ) {
    id
    name
    investments(first: $count, after: $cursor)
      @connection(key: "App_investor_investments") {
      edges {
        node {
          id
          ...App_investment
          round {
            ...App_round
          }
        }
      }
    }
  }
`;

export const round = graphql`
  fragment App_round on FundingRound
  @refetchable(queryName: "AppRoundPaginationQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 5 }
    cursor: { type: "String" }
  ) {
    id
    roundType
    organization {
      name
    }
    investments(first: $count, after: $cursor)
      @connection(key: "App_round_investments") {
      edges {
        node {
          id
          isLead
        }
      }
    }
  }
`;

export const investment = graphql`
  fragment App_investment on Investment
  @refetchable(queryName: "AppInvestmentRefetchQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 3 }
    cursor: { type: "String" }
  ) {
    id
    isLead
    amount {
      amount
      currency
    }
    investor {
      slug
    }
    round {
      coInvestments: investments(first: $count, after: $cursor)
        @connection(key: "App_investment_coInvestments") {
        edges {
          node {
            id
          }
        }
      }
    }
  }
`;

export const query = graphql`
  query AppQuery($slug: String!) {
    organization(slug: $slug) {
      ...App_investor
    }
  }
`;

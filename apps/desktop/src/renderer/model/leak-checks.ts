// Titles for the helper's leak-test checks (stable names from the API); an unknown name is shown as is.
const TITLES: Record<string, string> = {
  firewall: 'Firewall matches the policy',
  dns: 'DNS goes only to the chosen resolvers',
  'exit-address': 'Address the world sees',
  'rule-hits': 'Firewall rule hits',
};

export function leakCheckTitle(name: string): string {
  return TITLES[name] ?? name;
}

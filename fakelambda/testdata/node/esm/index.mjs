export const handler = async (event) => ({ loadedAs: 'mjs', event });

export const handler = async () => ({ loadedAs: 'js with "type": "module"', isModule: typeof require === 'undefined' });

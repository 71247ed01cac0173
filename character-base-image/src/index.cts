// The CommonJS entry point (`require('@distributed-dungeon/character-sdk')`): the ES module
// itself, loaded through Node 24's require(esm), so CommonJS and ESM characters share one copy
// of every class (an `instanceof CharacterBase` holds whichever way it was loaded).
module.exports = require('./index.js');

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupMatches, inAnyGroup, mapGroups, type GroupRoles } from '../../server/src/pipeline/group-roles';

// --- groupMatches: exact names ---------------------------------------------------------

test('groupMatches: an exact name matches case-insensitively', () => {
  assert.equal(groupMatches('cms-editors', 'cms-editors'), true);
  assert.equal(groupMatches('cms-editors', 'CMS-Editors'), true);
  assert.equal(groupMatches('CMS-EDITORS', 'cms-editors'), true);
});

test('groupMatches: an exact name is anchored at both ends', () => {
  assert.equal(groupMatches('cms', 'cms-editors'), false);
  assert.equal(groupMatches('editors', 'cms-editors'), false);
  assert.equal(groupMatches('cms-editors', 'cms-editors-old'), false);
  assert.equal(groupMatches('cms-editors', 'x-cms-editors'), false);
  assert.equal(groupMatches('cms-editors', 'cms-editor'), false);
  assert.equal(groupMatches('cms-editors', ''), false);
  assert.equal(groupMatches('cms-editors', ' cms-editors'), false);
});

test('groupMatches: without "*" the pattern is a plain name, never a regular expression', () => {
  assert.equal(groupMatches('cms.editors', 'cmsXeditors'), false);
  assert.equal(groupMatches('cms.editors', 'cms.editors'), true);
  assert.equal(groupMatches('admins|staff', 'staff'), false);
  assert.equal(groupMatches('admins|staff', 'admins|staff'), true);
  assert.equal(groupMatches('[a-z]+', 'admins'), false);
  assert.equal(groupMatches('.+', 'admins'), false);
});

test('groupMatches: a group name is never a pattern (a group called "*" matches only "*")', () => {
  assert.equal(groupMatches('admins', '*'), false);
  assert.equal(groupMatches('adm*', '*'), false);
  assert.equal(groupMatches('admins', '.*'), false);
  assert.equal(groupMatches('admins', 'adm.*'), false);
  assert.equal(groupMatches('*', '*'), true);
});

// --- groupMatches: wildcards --------------------------------------------------------------

test('groupMatches: "*" matches any run of characters, the empty one included', () => {
  assert.equal(groupMatches('cms-*', 'cms-editors'), true);
  assert.equal(groupMatches('cms-*', 'CMS-Editors'), true);
  assert.equal(groupMatches('CMS-*', 'cms-editors'), true);
  assert.equal(groupMatches('cms-*', 'cms-'), true);
  assert.equal(groupMatches('cms-*', 'cms-a-b-c'), true);
  assert.equal(groupMatches('*-admins', 'team-admins'), true);
  assert.equal(groupMatches('*admins*', 'admins'), true);
  assert.equal(groupMatches('a*b*c', 'abc'), true);
  assert.equal(groupMatches('a*b*c', 'a-x-b-y-c'), true);
  assert.equal(groupMatches('cms-**', 'cms-editors'), true);
});

test('groupMatches: a wildcard pattern is still anchored', () => {
  assert.equal(groupMatches('cms-*', 'cms'), false);
  assert.equal(groupMatches('cms-*', 'xcms-editors'), false);
  assert.equal(groupMatches('cms-*', ' cms-editors'), false);
  assert.equal(groupMatches('*-admins', 'team-admins-old'), false);
  assert.equal(groupMatches('a*b*c', 'a-x-b-y-c-d'), false);
  assert.equal(groupMatches('a*b*c', 'x-a-b-c'), false);
});

test('groupMatches: "*" alone matches every group', () => {
  for (const group of ['admins', 'CMS-Editors', 'a', 'x y', 'cms.editors', '(a|b)', 'Zoë']) {
    assert.equal(groupMatches('*', group), true, group);
  }
});

test('groupMatches: regular-expression characters around a wildcard are literal', () => {
  assert.equal(groupMatches('cms.*', 'cms.editors'), true);
  assert.equal(groupMatches('cms.*', 'cmsXeditors'), false);
  assert.equal(groupMatches('(a|b)*', '(a|b)-x'), true);
  assert.equal(groupMatches('(a|b)*', 'a'), false);
  assert.equal(groupMatches('(a|b)*', 'b-x'), false);
  assert.equal(groupMatches('[abc]*', '[abc]x'), true);
  assert.equal(groupMatches('[abc]*', 'ax'), false);
  assert.equal(groupMatches('a+*', 'a+x'), true);
  assert.equal(groupMatches('a+*', 'aax'), false);
  assert.equal(groupMatches('a?*', 'a?'), true);
  assert.equal(groupMatches('a?*', 'b'), false);
  assert.equal(groupMatches('^a$*', '^a$'), true);
  assert.equal(groupMatches('^a$*', 'a'), false);
  assert.equal(groupMatches('a{2}*', 'a{2}x'), true);
  assert.equal(groupMatches('a{2}*', 'aa'), false);
  assert.equal(groupMatches('C:\\groups\\*', 'c:\\groups\\admins'), true);
  assert.equal(groupMatches('C:\\groups\\*', 'c:groupsadmins'), false);
  assert.equal(groupMatches('/cms/*', '/cms/editors'), true);
});

test('groupMatches: wildcard patterns with any special character do not throw', () => {
  for (const pattern of ['(*', '*)', '[*', '*]', '{*}', '\\*', '*\\', '?*', '*+', '|*', '$*^', '\u{1F600}*']) {
    assert.doesNotThrow(() => groupMatches(pattern, 'group'), pattern);
  }
});

test('groupMatches: non-ASCII look-alikes do not match an ASCII name (T9)', () => {
  assert.equal(groupMatches('admins', '\uFF41dmins'), false); // full-width a
  assert.equal(groupMatches('admins', '\u0430dmins'), false); // Cyrillic a
  assert.equal(groupMatches('admins', 'adm\u0131ns'), false); // dotless i
  assert.equal(groupMatches('admins', 'ADM\u0130NS'), false); // dotted capital I
  assert.equal(groupMatches('admins', 'admins\u200b'), false); // zero-width space
  assert.equal(groupMatches('admins-*', '\uFF41dmins-x'), false);
});

test(
  'groupMatches: the KELVIN SIGN does not match an ASCII "k" (T9)',
  
  () => {
    assert.equal(groupMatches('kms-admins', '\u212Ams-admins'), false);
    assert.equal(groupMatches('kms-*', '\u212Ams-admins'), false);
    assert.deepEqual(mapGroups(['\u212Ams-admins'], { 'kms-admins': ['strapi-super-admin'] }), {
      roles: [],
      unmatched: ['\u212Ams-admins'],
    });
  },
);

test(
  'groupMatches: "*" matches every character, line separators included',
  
  () => {
    assert.equal(groupMatches('contractors-*', 'contractors-\u2028x'), true);
    assert.equal(groupMatches('*', 'a\u2029b'), true);
    assert.equal(inAnyGroup(['contractors-\u2028x'], ['contractors-*']), true);
  },
);

// --- mapGroups ---------------------------------------------------------------------------

const MAPPING: GroupRoles = {
  'cms-editors': ['strapi-editor'],
  'cms-*': ['strapi-author'],
  admins: ['strapi-super-admin', 'strapi-editor'],
};

test('mapGroups: no groups, or an empty mapping, maps to no role', () => {
  assert.deepEqual(mapGroups([], MAPPING), { roles: [], unmatched: [] });
  assert.deepEqual(mapGroups(['a', 'b'], {}), { roles: [], unmatched: ['a', 'b'] });
});

test('mapGroups: a group collects the roles of every pattern it matches, without duplicates', () => {
  assert.deepEqual(mapGroups(['CMS-Editors'], MAPPING), { roles: ['strapi-editor', 'strapi-author'], unmatched: [] });
  assert.deepEqual(mapGroups(['cms-writers'], MAPPING), { roles: ['strapi-author'], unmatched: [] });
  assert.deepEqual(mapGroups(['cms-editors', 'admins', 'cms-writers'], MAPPING), {
    roles: ['strapi-editor', 'strapi-author', 'strapi-super-admin'],
    unmatched: [],
  });
});

test('mapGroups: roles come in group order, then mapping order', () => {
  assert.deepEqual(mapGroups(['admins', 'cms-editors'], MAPPING).roles, ['strapi-super-admin', 'strapi-editor', 'strapi-author']);
  assert.deepEqual(mapGroups(['b', 'a'], { a: ['role-a'], b: ['role-b'] }).roles, ['role-b', 'role-a']);
});

test('mapGroups: groups that match no pattern are listed as unmatched, in order, and give no role', () => {
  assert.deepEqual(mapGroups(['staff', 'cms-editors', 'Everyone', 'cms'], MAPPING), {
    roles: ['strapi-editor', 'strapi-author'],
    unmatched: ['staff', 'Everyone', 'cms'],
  });
});

test('mapGroups: role references are returned as written (codes or names are resolved later)', () => {
  assert.deepEqual(mapGroups(['a'], { A: ['Editor', 'strapi-editor', 'Editor'] }).roles, ['Editor', 'strapi-editor']);
});

test('mapGroups: group names that are Object.prototype members map to nothing', () => {
  const groups = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
  assert.deepEqual(mapGroups(groups, {}), { roles: [], unmatched: groups });
  assert.deepEqual(mapGroups(groups, MAPPING), { roles: [], unmatched: groups });
});

test('mapGroups: a group called "*" is not a wildcard', () => {
  assert.deepEqual(mapGroups(['*'], MAPPING), { roles: [], unmatched: ['*'] });
  assert.deepEqual(mapGroups(['cms-*'], { 'cms-editors': ['strapi-editor'] }), { roles: [], unmatched: ['cms-*'] });
});

test('mapGroups: a "*" pattern maps every group', () => {
  assert.deepEqual(mapGroups(['a', 'b'], { '*': ['strapi-author'] }), { roles: ['strapi-author'], unmatched: [] });
});

test('mapGroups: does not modify its inputs', () => {
  const groups = ['cms-editors', 'staff'];
  const mapping = { 'cms-*': ['strapi-author'] };
  mapGroups(groups, mapping);
  assert.deepEqual(groups, ['cms-editors', 'staff']);
  assert.deepEqual(mapping, { 'cms-*': ['strapi-author'] });
});

// --- inAnyGroup --------------------------------------------------------------------------

test('inAnyGroup: true when any group matches any pattern', () => {
  assert.equal(inAnyGroup(['staff', 'Contractors'], ['contractors']), true);
  assert.equal(inAnyGroup(['staff', 'ext-acme'], ['admins', 'ext-*']), true);
  assert.equal(inAnyGroup(['x'], ['*']), true);
});

test('inAnyGroup: false when nothing matches, or either list is empty', () => {
  assert.equal(inAnyGroup(['staff'], ['contractors', 'ext-*']), false);
  assert.equal(inAnyGroup(['contractors-old'], ['contractors']), false);
  assert.equal(inAnyGroup([], ['*']), false);
  assert.equal(inAnyGroup(['staff'], []), false);
  assert.equal(inAnyGroup([], []), false);
});

test('inAnyGroup: a group called "*" is not a wildcard', () => {
  assert.equal(inAnyGroup(['*'], ['admins']), false);
  assert.equal(inAnyGroup(['.*'], ['admins']), false);
});

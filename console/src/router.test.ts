import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageOfPath, pageToShow, pathOfPage } from './router.js';

test('a console path names its page; unknown paths and the bare base are the home page', () => {
  assert.equal(pageOfPath('/console/login'), 'login');
  assert.equal(pageOfPath('/console/logs/'), 'logs');
  assert.equal(pageOfPath('/console/'), 'overview');
  assert.equal(pageOfPath('/console/nope'), 'overview');
  assert.equal(pageOfPath('/console/login/../keys'), 'overview');
  assert.equal(pathOfPage('history'), '/console/history');
});

test('signed out, pages behind the session show the login page; signed in, login and sign-up show the home page', () => {
  assert.equal(pageToShow('keys', false), 'login');
  assert.equal(pageToShow('signup', false), 'signup');
  assert.equal(pageToShow('confirm', false), 'confirm');
  assert.equal(pageToShow('login', true), 'overview');
  assert.equal(pageToShow('signup', true), 'overview');
  assert.equal(pageToShow('reset', true), 'reset');
  assert.equal(pageToShow('keys', true), 'keys');
});

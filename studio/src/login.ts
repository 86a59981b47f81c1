import { api, session, type User } from './api';
import { h } from './dom';

/** The login form: the same accounts as the API; the token stays in this tab's session storage. */
export function showLogin(done: (user: User) => void): HTMLElement {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'status error', role: 'alert' });
  const form = h(
    'form',
    { class: 'login', id: 'login-form' },
    h('h1', {}, 'Forecourt studio'),
    h('label', {}, 'Email', email),
    h('label', {}, 'Password', password),
    h('button', { type: 'submit' }, 'Log in'),
    error,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      const { accessToken, user } = await api.login(email.value.trim(), password.value);
      session.set(accessToken, user);
      done(user);
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  });
  return h('div', { class: 'login-page' }, form);
}

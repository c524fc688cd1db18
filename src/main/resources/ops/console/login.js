document.getElementById('login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const res = await fetch('/login', {
    method: 'POST',
    headers: {'Content-Type': 'application/json', 'X-IEP-Console': '1'},
    body: JSON.stringify({user: document.getElementById('user').value,
                          password: document.getElementById('password').value})
  });
  if (res.ok) {
    window.location.href = '/console/';
  } else {
    document.getElementById('error').textContent = 'Wrong user or password.';
  }
});

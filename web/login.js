// The login page: carries ?next= into the form, and says when the last try failed.
const params = new URLSearchParams(location.search);
const next = params.get('next');
if (next) document.getElementById('next').value = next;
if (params.has('failed')) document.getElementById('login-failed').hidden = false;

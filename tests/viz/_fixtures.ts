/** Text that would break out of HTML if it were not escaped. */
export const INJECTION =
  `<script>alert(1)</script> </textarea> "q" & 'a' <img src=x onerror=alert(2)>`;

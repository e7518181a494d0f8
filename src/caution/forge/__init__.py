"""The forges' REST APIs (GitHub, GitLab), read with the standard library alone: the
pull request reviews and merge request approvals that count as forge approvals."""

{
  "targets": [
    {
      "target_name": "execve",
      "sources": ["src/execve.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-O2"]
    }
  ]
}

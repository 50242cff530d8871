{
  "targets": [
    {
      "target_name": "memtrim",
      "sources": ["src/memtrim.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-O2"]
    }
  ]
}

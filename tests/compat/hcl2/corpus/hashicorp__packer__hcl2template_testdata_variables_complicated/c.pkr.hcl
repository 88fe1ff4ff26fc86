variable "name_prefix" {
  default = "foo"
}
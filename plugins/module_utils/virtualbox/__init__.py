# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The virtualbox-iso and virtualbox-ovf builders: config, VBoxManage driver, scancodes, steps."""
